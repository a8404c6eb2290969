"""State backends and their locking: Terraform `backend` and `cloud` blocks (HCL and JSON), partial
configuration passed at init time, and the one lock classifier every reader uses (Terraform, Terragrunt,
Atmos): the readers differ in how they find a backend's settings, never in what the settings mean."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from wafops.collectors.repo.iac.hcl import attr_bool, attr_str, block_text, has_attr, top_level
from wafops.collectors.repo.iac.state import IacRun, dirname

# backends that always lock the state
NATIVE_LOCK = {"azurerm", "gcs", "remote", "cloud", "consul", "kubernetes", "pg", "cos"}
# backends locked by a setting of their own, in order of preference
LOCK_SETTINGS = {"s3": ("use_lockfile", "dynamodb_table"), "http": ("lock_address",), "oss": ("tablestore_table",)}
# the setting that says where the state is: set without a lock setting, there is no locking; unset, the
# configuration is partial and its lock settings may be passed at init time
LOCATION_SETTING = {"s3": "bucket", "http": "address"}
# the settings a reader looks for (a flag such as use_lockfile counts only when true)
LOCK_KEYS = ("use_lockfile", "dynamodb_table", "lock_address", "tablestore_table", "bucket", "address")
PARTIAL_BACKEND_RX = re.compile(
    r"(?i)(^|/)([^/]*\.tfbackend|[^/]*backend[^/]*\.(hcl|tfvars|conf|config)|backend-configs?/[^/]+)$"
)


def classify_lock(btype: str, settings: Collection[str], *, complete: bool = False) -> tuple[str, bool | None]:
    """(lock, locking) of a backend of type `btype` whose configuration sets `settings`.

    locking is True (lock names the setting, or `native` for backends that always lock), False (`none`)
    or None (`unknown`: a type we do not know, or a partial configuration whose lock settings come at
    init time). `complete`: the configuration cannot be partial (Terragrunt writes the whole block), so
    a missing lock setting means no locking.
    """
    if btype in LOCK_SETTINGS:
        lock = next((k for k in LOCK_SETTINGS[btype] if k in settings), None)
        if lock:
            return lock, True
        location = LOCATION_SETTING.get(btype)
        if complete or location is None or location in settings:
            return "none", False
        return "unknown", None
    if btype in NATIVE_LOCK:
        return "native", True
    if btype == "local":
        return "none", False
    return "unknown", None


def tool_backend(run: IacRun, path: str, line: int, tool: str, btype: str, lock: str, locking: bool | None,
                 summary: str) -> None:
    """An `iac.backend` a tool other than plain Terraform declares (Terragrunt, Atmos, Pulumi)."""
    run.ev("iac.backend", path, line, {"type": btype, "locking": locking, "lock": lock, "dir": dirname(path),
                                       "partial": False, "config_files": [], "tool": tool}, summary)


def terraform_backend(run: IacRun, path: str, text: str, btype: str, line: int) -> None:
    """A `backend "<type>" { ... }` block; emitted by `resolve_partial_backends` once partial files are read."""
    top = top_level(block_text(text, line))
    settings = {k for k in LOCK_KEYS if (attr_bool(top, k) if k == "use_lockfile" else
                                          attr_str(top, k) if k == "bucket" else has_attr(top, k))}
    lock, locking = classify_lock(btype, settings)
    partial = (lock == "unknown" and btype in LOCATION_SETTING) or (
        btype in ("s3", "azurerm", "gcs") and not re.search(r"(?m)^[ \t]*\w+[ \t]*=", top))
    attrs: dict[str, Any] = {"type": btype, "dir": dirname(path), "partial": partial, "config_files": [],
                             "locking": locking, "lock": lock}
    run.backends.append({"path": path, "line": line, "attrs": attrs})


def cloud_block(run: IacRun, path: str, text: str, line: int) -> None:
    """`terraform { cloud { ... } }`: HCP Terraform / Terraform Enterprise state, always locked."""
    top = top_level(block_text(text, line))
    attrs = {"type": "cloud", "locking": True, "lock": "native", "dir": dirname(path), "partial": False,
             "config_files": [], "organization": attr_str(top, "organization"), "hostname": attr_str(top, "hostname")}
    run.backends.append({"path": path, "line": line, "attrs": attrs})


def backend_from_json(run: IacRun, path: str, btype: str, cfg: Any) -> None:
    """A backend of a `.tf.json` file, read as the HCL it stands for."""
    text = "\n".join(f"{k} = {str(v).lower() if isinstance(v, bool) else repr(v)}".replace("'", '"')
                     for k, v in (cfg or {}).items()) if isinstance(cfg, dict) else ""
    terraform_backend(run, path, f'backend "{btype}" ' + "{\n" + text + "\n}", btype, 1)


def resolve_partial_backends(run: IacRun) -> None:
    """Terraform backends with partial configuration take their lock settings from config files."""
    tree = run.tree
    # every PARTIAL_BACKEND_RX match holds "backend", case-folded (what `(?i)` accepts for its letters folds to
    # them): the substring test spares the pattern most paths
    partial_files = [p for p in tree.files if "backend" in p.casefold() and PARTIAL_BACKEND_RX.search(p)
                     and not p.endswith(".tf")]
    ci = tree.text(".gitlab-ci.yml") if tree.exists(".gitlab-ci.yml") else None
    gitlab_managed = bool(ci and re.search(r"gitlab-terraform|TF_HTTP_LOCK_ADDRESS|Terraform/Base|terraform/base|opentofu",
                                           ci, re.I))
    for item in run.backends:
        attrs = item["attrs"]
        if attrs.get("partial") and attrs.get("locking") is not True:
            _complete_from_files(run, attrs, partial_files, gitlab_managed)
        a = attrs
        summary = f"{a['type']} backend" + (" (partial configuration)" if a["partial"] else "") + (
            f", locked by {a['lock']}" if a["locking"] else ", no locking" if a["locking"] is False
            else ", locking unknown (configuration passed at init time)")
        run.ev("iac.backend", item["path"], item["line"], attrs, summary)


def _complete_from_files(run: IacRun, attrs: dict[str, Any], partial_files: list[str], gitlab_managed: bool) -> None:
    """Locking of a partial backend from the backend config files beside it (or anywhere), GitLab's managed
    state, or the lock Terragrunt configures for the same repository."""
    dir_ = attrs["dir"]
    near = [p for p in partial_files if dirname(p) == dir_ or p.startswith(dir_ + "/") or dir_ == "."]
    cands = near or partial_files
    attrs["config_files"] = cands[:10]
    found_lock = None
    for p in cands:
        text = run.tree.text(p) or ""
        if re.search(r"(?m)^[ \t]*use_lockfile[ \t]*=[ \t]*\"?true", text):
            found_lock = "use_lockfile"
        elif re.search(r"(?m)^[ \t]*dynamodb_table[ \t]*=", text):
            found_lock = found_lock or "dynamodb_table"
        elif re.search(r"(?m)^[ \t]*lock_address[ \t]*=", text):
            found_lock = found_lock or "lock_address"
    if found_lock:
        attrs.update(locking=True, lock=found_lock)
    elif attrs["type"] == "http" and gitlab_managed:
        attrs.update(locking=True, lock="gitlab-managed")
    elif run.tg_locks and attrs["type"] == "s3":
        attrs.update(locking=True, lock=run.tg_locks[0] + " (terragrunt)")
    elif cands and attrs["type"] in ("s3", "http"):
        attrs.update(locking=False, lock="none")
