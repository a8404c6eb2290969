"""What one IaC run shares between its detectors: the evidence emitted so far, the directories each tool's
code lives in (each becomes one `iac.code`), and what one detector finds for a later one (Terraform
backends waiting for partial configuration, Terragrunt lock kinds, curated resources, Ansible role users)."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

from wafops.collectors.base import CollectContext
from wafops.scanner.core.files import RepoTree
from wafops.scanner.core.model import Evidence, Strength
from wafops.scanner.core.vocabulary import is_iac_example_dir, redact

SECRET_KEY_RX = re.compile(
    r"(?i)(password|passwd|secret|token|api_?key|apikey|private|credential|integration_key|routing_key"
    r"|access_key|auth|webhook|client_key|certificate|sas)"
)
WEBHOOK_URL_RX = re.compile(
    r"(?i)hooks\.slack\.com|webhook\.office\.com|discord(app)?\.com/api/webhooks|events\.pagerduty\.com"
    r"|outlook\.office\.com/webhook|[?&](token|key|sig|code)="
)
# Retired configuration kept for reference (`.archive/kubernetes/...` in home-ops repositories): nothing
# reconciles or applies it any more, so it counts like sample code.
ARCHIVE_DIRS = frozenset({".archive", "archive", "archived", "_archive", ".archived", "deprecated", "attic", "graveyard"})


@dataclass
class CodeDir:
    """What one directory holds for one tool; becomes one `iac.code`."""

    tool: str
    path: str  # a file in the directory, for the locator
    files: int = 0
    resources: int | None = 0
    modules: int = 0
    root: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class IacRun:
    """Per-subject state: one collector instance serves subjects on several threads."""

    ctx: CollectContext
    tree: RepoTree
    out: list[Evidence] = field(default_factory=list)
    dirs: dict[tuple[str, str], CodeDir] = field(default_factory=dict)
    backends: list[dict[str, Any]] = field(default_factory=list)  # terraform backends (locking may need partial config)
    tg_locks: list[str] = field(default_factory=list)  # lock kinds seen in Terragrunt remote_state
    tg_shared: dict[str, str] | None = None  # string locals of shared Terragrunt files
    resources: list[tuple[str, str, dict[str, Any], Evidence]] = field(default_factory=list)  # (type, dir, facts, ev)
    clones: dict[str, tuple[str, bool]] | None = None  # git clone destinations in Makefiles/scripts
    role_users: dict[str, set[str]] = field(default_factory=dict)  # Ansible role name -> playbooks that apply it
    folders: set[str] | None = None  # every folder of the tree that holds a file (built on first use)

    @classmethod
    def start(cls, ctx: CollectContext) -> IacRun:
        assert ctx.tree is not None
        return cls(ctx, ctx.tree)

    def ev(self, kind: str, path: str, line: int | None, attrs: dict[str, Any], summary: str,
           strength: Strength = Strength.DIRECT) -> Evidence:
        e = self.ctx.file_evidence(kind, path, line=line, attributes=attrs, strength=strength, summary=summary)
        self.out.append(e)
        return e

    def has_path(self, path: str) -> bool:
        """Whether `path` is a file or a folder of the tree (a folder: some file lies under it). The folders
        are listed once, not searched for among all files on every question (one per local module call)."""
        if self.tree.exists(path):
            return True
        if self.folders is None:
            self.folders = set()
            for f in self.tree.files:
                pos = f.find("/")
                while pos > 0:
                    self.folders.add(f[:pos])
                    pos = f.find("/", pos + 1)
        return path in self.folders

    def dir(self, tool: str, path: str, key_dir: str | None = None) -> CodeDir:
        """The directory record of `tool` for the folder of `path` (or for `key_dir` when code is grouped)."""
        key = (tool, dirname(path) if key_dir is None else key_dir)
        d = self.dirs.get(key)
        if d is None:
            d = self.dirs[key] = CodeDir(tool, path)
        return d


def dirname(path: str) -> str:
    d = posixpath.dirname(path)
    return d or "."


def nearest(dir_: str, candidates: set[str]) -> str | None:
    """`dir_` or its closest parent among `candidates`."""
    d = dir_
    while True:
        if d in candidates:
            return d
        if d in (".", ""):
            return None
        d = dirname(d)


def is_archived_dir(dir_: str) -> bool:
    return bool({s.lower() for s in str(dir_).strip("/").split("/")} & ARCHIVE_DIRS)


def role_of(dir_: str, root: bool = False) -> str:
    """example (examples/tests/docs/archived), root (deployable configuration) or module (reusable)."""
    if is_iac_example_dir(dir_) or is_archived_dir(dir_):
        return "example"
    return "root" if root else "module"


def is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def slim(value: Any, depth: int = 0) -> Any:
    """A resource body small enough for a report: secret-looking keys dropped, strings redacted."""
    if depth > 4:
        return "…"
    if isinstance(value, dict):
        out = {}
        for k, v in list(value.items())[:40]:
            if SECRET_KEY_RX.search(str(k)) or k in ("tags", "tags_all", "labels"):
                continue
            out[str(k)] = slim(v, depth + 1)
        return out
    if isinstance(value, list):
        return [slim(v, depth + 1) for v in value[:20]]
    if isinstance(value, str):
        return "[redacted]" if WEBHOOK_URL_RX.search(value) else redact(value, 200)
    return value


def emit_code(run: IacRun) -> None:
    """One `iac.code` per tool and directory, once every detector has registered what it found."""
    backend_dirs = {e.attributes["dir"] for e in run.out if e.kind == "iac.backend"}
    for (tool, dir_), d in sorted(run.dirs.items()):
        if d.files == 0:
            continue
        root = d.root or dir_ in backend_dirs
        attrs: dict[str, Any] = {"tool": tool, "dir": dir_, "files": d.files, "resources": d.resources,
                                 "modules": d.modules, "role": role_of(dir_, root)}
        attrs.update({k: v for k, v in d.extra.items() if not k.startswith("_")})
        what = f"{d.resources} resource(s)" if d.resources is not None else "resources defined in program code"
        run.ev("iac.code", d.path, 1, attrs, f"{tool} in {dir_}: {d.files} file(s), {what}"
               + (f", {d.modules} module call(s)" if d.modules else "") + f" [{attrs['role']}]")
