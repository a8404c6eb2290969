"""What the GitHub and GitLab target resolvers share: how a failed API call is reported, the repository
archive unpacked for the file collectors, and the cleanup after the subject."""

from __future__ import annotations

import shutil
import tempfile
from typing import Any, ClassVar

from wafops.collectors.base import ScanSourceError, TargetError, TargetResolver
from wafops.collectors.platforms.common.archive import extract
from wafops.scanner.core.model import Subject


class PlatformResolver(TargetResolver):
    """A code-hosting platform's resolver: one archive per repository, API calls started in `prepare`."""

    tmp_prefix: ClassVar[str] = "wafops-"

    def failure(self, msg: str, status: int) -> Exception:
        """401/404: the target or the credential is wrong (a usage error); anything else: the source failed
        (an outage, a limit, a page that is no API answer)."""
        if status in (401, 404):
            return TargetError(msg)
        return ScanSourceError(msg, self.scheme)

    def unpack(self, subject: Subject, blob: bytes, warn: Any) -> None:
        """Extract the repository archive into a temporary folder: the subject's directory tree."""
        tmp = tempfile.mkdtemp(prefix=self.tmp_prefix)
        subject.meta["tmpdir"] = tmp
        subject.workdir = extract(blob, tmp, warn=lambda m: warn("repo", m))

    def cleanup(self, subject: Subject) -> None:
        for f in (subject.meta.get("prefetch") or {}).values():
            f.cancel()
        tmp = subject.meta.pop("tmpdir", None)
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
        subject.workdir = None
