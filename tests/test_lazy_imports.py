"""A local scan loads no HTTP client: start-up stays light for the most common use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).parent.parent / "examples" / "repos" / "legacy-billing"


def test_a_local_scan_imports_no_http_client(tmp_path):
    code = (
        "import sys\n"
        "from wafops.scanner.cli import main\n"
        f"try:\n    main(['scan', {str(EXAMPLE)!r}, '--format', 'json', '-o', {str(tmp_path / 'r.json')!r}])\n"
        "except SystemExit:\n    pass\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('requests', 'urllib3', 'boto3', 'botocore', 'github', 'gitlab', 'azure'))\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300).stdout
    assert (tmp_path / "r.json").exists()
    assert "HEAVY []" in out, out[-500:]
