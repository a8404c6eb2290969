"""Atmos (Cloud Posse): the state backends its stack manifests declare.

Why: Atmos components (components/terraform/<c>) carry no `backend` block; Atmos writes `backend.tf.json`
at run time from `terraform.backend_type` + `terraform.backend.<type>` in the stack YAML (stacks/**).
Without this the roots of an Atmos repository look like local state. Only repositories with an
`atmos.yaml` are read, and only stack files that mention a backend.
"""

from __future__ import annotations

import re

from wafops.collectors.repo.iac.backends import classify_lock, tool_backend
from wafops.collectors.repo.iac.state import IacRun, dirname
from wafops.scanner.core.vocabulary import is_iac_example_dir


def atmos(run: IacRun) -> None:
    """Backends declared in Atmos stack manifests."""
    files = _stack_files(run)
    seen: set[tuple[str, str]] = set()
    for path, text in run.tree.iter_text(files):
        if "backend" not in text:
            continue
        for doc in run.tree.yaml_docs(path):
            tf = doc.get("terraform") if isinstance(doc, dict) else None
            if not isinstance(tf, dict):
                continue
            btype = str(tf.get("backend_type") or "")
            cfgs = tf.get("backend") if isinstance(tf.get("backend"), dict) else {}
            if not btype and len(cfgs) == 1:
                btype = str(next(iter(cfgs)))
            if not btype or (path, btype) in seen:
                continue
            seen.add((path, btype))
            body = cfgs.get(btype) if isinstance(cfgs.get(btype), dict) else {}
            # an override without a bucket: bucket and lock come from an imported file (unknown)
            settings = {k for k, v in body.items() if (v is True if k == "use_lockfile" else bool(v))}
            lock, locking = classify_lock(btype, settings)
            line = run.tree.line_of(path, re.compile(r"^\s*backend_type\s*:", re.M)) or \
                run.tree.line_of(path, re.compile(r"^\s*backend\s*:", re.M)) or 1
            tool_backend(run, path, line, "atmos", btype, lock, locking,
                         f"atmos stack backend {btype}" + (f" locked by {lock}" if locking else
                                                           " without locking" if locking is False else ""))


def _stack_files(run: IacRun) -> list[str]:
    """Stack manifests under the `stacks.base_path` of each atmos.yaml (none without an atmos.yaml)."""
    configs = [p for p in run.tree.named("atmos.yaml", ".atmos.yaml") if not is_iac_example_dir(p)]
    if not configs:
        return []
    bases: set[str] = set()
    for cfg in configs[:5]:
        data = run.tree.yaml(cfg)
        base = "stacks"
        if isinstance(data, dict) and isinstance(data.get("stacks"), dict):
            base = str(data["stacks"].get("base_path") or "stacks")
        base = base.strip("./ ") or "stacks"
        root = dirname(cfg)
        bases.add(f"{root}/{base}" if root not in ("", ".") else base)
    return [p for p in run.tree.with_suffix(".yaml", ".yml")
            if any(p.startswith(b + "/") for b in bases) and not is_iac_example_dir(p)][:2000]
