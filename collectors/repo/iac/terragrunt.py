"""Terragrunt: units (`terragrunt.hcl`, `root.hcl`, stacks) with their module sources, dependencies, region
and account folders, and the state backend `remote_state` (or a generated `backend` block) configures."""

from __future__ import annotations

import re

from wafops.collectors.repo.iac.backends import LOCK_KEYS, classify_lock, tool_backend
from wafops.collectors.repo.iac.hcl import attr_str, block_text, has_attr, module_source, top_level
from wafops.collectors.repo.iac.state import CodeDir, IacRun, dirname, nearest
from wafops.scanner.core.hcl import block_headers
from wafops.scanner.core.vocabulary import redact

REGION_RX = re.compile(
    r"^((us|eu|ap|sa|ca|me|af|il|mx|cn)(-gov)?-(north|south|east|west|central|northeast|southeast|northwest|southwest)-\d"
    r"|(us|europe|asia|australia|northamerica|southamerica|me|africa)-(north|south|east|west|central|northeast|southeast)\d)$"
)


def terragrunt(run: IacRun) -> None:
    files = [p for p in run.tree.files if p.rsplit("/", 1)[-1] in ("terragrunt.hcl", "root.hcl", "terragrunt.stack.hcl")]
    account_files = {dirname(p) for p in run.tree.named("account.hcl", "subscription.hcl", "project.hcl")}
    for path in files:
        text = run.tree.text(path)
        if text is None:
            continue
        d = run.dir("terragrunt", path)
        d.files += 1
        d.root = True
        headers = block_headers(text)
        includes = sum(1 for h in headers if h[0] == "include")
        deps = len(re.findall(r'(?m)^[ \t]*dependency[ \t]+"[^"]+"[ \t]*\{', text))
        d.extra["includes"] = d.extra.get("includes", 0) + includes
        d.extra["dependencies"] = d.extra.get("dependencies", 0) + deps
        d.extra["region"] = next((s for s in dirname(path).split("/") if REGION_RX.match(s)), None)
        d.extra["account_dir"] = nearest(dirname(path), account_files)
        for btype, l1, _l2, line in headers:
            if btype == "terraform" and not l1:
                _unit_source(run, d, path, text, line)
            elif btype == "remote_state":
                body = block_text(text, line)
                _backend(run, path, line, attr_str(top_level(body), "backend") or "unknown", body)
        gen = re.search(r'(?m)^[ \t]*generate[ \t]+"backend"[ \t]*\{', text)
        if gen and "remote_state" not in {h[0] for h in headers}:
            body = block_text(text, text.count("\n", 0, gen.start()) + 1)
            m = re.search(r'backend[ \t]+"(\w+)"', body)
            if m:
                _backend(run, path, text.count("\n", 0, gen.start()) + 1, m.group(1), body)


def _unit_source(run: IacRun, d: CodeDir, path: str, text: str, line: int) -> None:
    """The module a unit deploys (`terraform { source = ... }`)."""
    body = block_text(text, line)
    src = attr_str(top_level(body), "source")
    if not src:
        return
    d.modules += 1
    if "${" in src:  # top_level() blanks nested braces; take the literal from the block
        src = _resolve(run, attr_str(body, "source") or src, text)
    kind, pinned = module_source(src.replace("tfr:///", "tfr://"), None)
    if kind == "other" and "${" in src and re.search(r"[?&]ref=", src):
        # base URL kept in a shared local (`_envcommon`), pinned here: a git module source
        kind, pinned = module_source("git::" + src.split("}", 1)[-1], None)
    if kind == "registry" and "version=" in src:
        pinned = True
    run.ev("iac.module", path, line, {"name": dirname(path).rsplit("/", 1)[-1], "source": redact(src, 200),
                                      "source_kind": kind, "pinned": pinned, "version": None,
                                      "dir": dirname(path), "tool": "terragrunt"},
           f"terragrunt unit source ({kind})")


def _resolve(run: IacRun, src: str, text: str) -> str:
    """Replace `${local.x}` / `${include.envcommon.locals.x}` in a unit's source with the string local.

    Terragrunt live repositories keep the module's base URL in a shared file (`_envcommon/<c>.hcl`)
    and pin it per environment (`"${include.envcommon.locals.base_source_url}?ref=v0.8.0"`); without
    this the source looks like an opaque expression and the module library goes unseen.
    """
    if "${" not in src:
        return src

    def lookup(m: re.Match[str]) -> str:
        name = re.search(r"\blocals?\.(\w+)\s*$", m.group(1))
        if not name:
            return m.group(0)
        value = attr_str(text, name.group(1)) or _shared_locals(run).get(name.group(1))
        return value if value and "${" not in value else m.group(0)

    return re.sub(r"\$\{([^}]*)\}", lookup, src)


def _shared_locals(run: IacRun) -> dict[str, str]:
    """String locals of shared Terragrunt files (everything but unit `terragrunt.hcl`), read once."""
    if run.tg_shared is None:
        run.tg_shared = {}
        shared = [p for p in run.tree.with_suffix(".hcl")
                  if p.rsplit("/", 1)[-1] not in ("terragrunt.hcl", ".terraform.lock.hcl")][:500]
        for p in shared:
            for name, value in re.findall(r'(?m)^[ \t]*(\w+)[ \t]*=[ \t]*"([^"\n]*)"', run.tree.text(p) or ""):
                run.tg_shared.setdefault(name, value)
    return run.tg_shared


def _backend(run: IacRun, path: str, line: int, btype: str, body: str) -> None:
    """The backend Terragrunt generates: the whole block is written here, so a missing lock is no lock."""
    settings = {k for k in LOCK_KEYS if has_attr(body, k) and k != "use_lockfile"}
    if re.search(r"use_lockfile[ \t]*=[ \t]*true", body):
        settings.add("use_lockfile")
    lock, locking = classify_lock(btype, settings, complete=True)
    if locking:
        run.tg_locks.append(lock)
    tool_backend(run, path, line, "terragrunt", btype, lock, locking,
                 f"terragrunt remote_state {btype}" + (f" locked by {lock}" if locking else " without locking"))
