"""Safe extraction of a repository archive (GitHub tarball, GitLab archive) for the file collectors.

The `data` extraction filter refuses absolute paths, `..`, links out of the tree and device files;
what it refuses is skipped one member at a time, with a warning, never the whole archive.
"""

from __future__ import annotations

import io
import os
import tarfile
from typing import Any


def extract(blob: bytes, dest: str, warn: Any = None) -> str:
    """Extract a tarball safely (`data` filter); return its single top-level folder if it has one.

    GitHub tarballs hold `<owner>-<repo>-<sha>/`, GitLab archives `<project>-<sha>-<sha>/`.
    """
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
        members = []
        for m in tar.getmembers():
            if m.isdev() or m.issym() and os.path.isabs(m.linkname):
                continue
            members.append(m)
        try:
            tar.extractall(dest, members=members, filter="data")
        except (tarfile.FilterError, OSError) as err:
            if warn:
                warn(f"some files of the tarball were not extracted: {type(err).__name__}")
            for m in members:  # one by one, skipping what the filter refuses
                try:
                    tar.extract(m, dest, filter="data")
                except (tarfile.FilterError, OSError):
                    continue
    tops = [d for d in os.listdir(dest) if os.path.isdir(os.path.join(dest, d))]
    return os.path.join(dest, tops[0]) if len(tops) == 1 else dest
