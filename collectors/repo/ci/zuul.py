"""Zuul (OpenStack, Ansible, Fedora infrastructure) project and job definitions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from wafops.collectors.base import CollectContext
from wafops.collectors.repo.ci_model import Job, Pipeline, Step, as_list, key_line, uniq
from wafops.collectors.repo.ci_steps import classes_from_name
from wafops.scanner.core.model import Strength

# Zuul pipelines are site-defined, but their names are conventional: check/gate gate every change
# (the gate is a merge queue), post/promote run after merge, periodic on a timer, release on tags.
_ZUUL_TRIGGER = (
    (re.compile(r"(?i)check|gate|merge-check"), "pull_request"), (re.compile(r"(?i)periodic"), "schedule"),
    (re.compile(r"(?i)release|tag"), "tag"), (re.compile(r"(?i)post|promote|deploy"), "push"),
    (re.compile(r"(?i)experimental"), "manual"),
)


def _zuul_trigger(pipeline: str) -> str:
    return next((t for rx, t in _ZUUL_TRIGGER if rx.search(pipeline)), "other")


def zuul_pipelines(ctx: CollectContext) -> Iterator[Pipeline]:
    """Zuul project configuration (`.zuul.yaml`, `zuul.yaml`, `.zuul.d/`, `zuul.d/`): the `project` stanza
    says which jobs run in which pipeline; local `job` definitions name their parent and run playbooks.
    A job not defined here comes from a shared job library: its steps are inferred from its name
    (strength strong), and it counts as a shared template."""
    tree = ctx.tree
    assert tree is not None
    paths = tree.named(".zuul.yaml", "zuul.yaml") + tree.glob(".zuul.d/*.yaml", "zuul.d/*.yaml", ".zuul.d/*.yml", "zuul.d/*.yml")
    paths = [p for p in paths if p.count("/") <= 1]
    if not paths:
        return
    local: dict[str, dict[str, Any]] = {}
    projects: list[tuple[str, dict[str, Any]]] = []
    for path in paths:
        data = tree.yaml(path)
        for item in as_list(data):
            if not isinstance(item, dict):
                continue
            if isinstance(item.get("job"), dict) and item["job"].get("name"):
                local[str(item["job"]["name"])] = dict(item["job"], _path=path)
            if isinstance(item.get("project"), dict):
                projects.append((path, item["project"]))
    for path, proj in projects:
        pipe = Pipeline("zuul", path, path, key_line(ctx, path, "project") or 1)
        pipe.templates = [f"zuul:{t}" for t in as_list(proj.get("templates")) if isinstance(t, str)]
        for pname, body in proj.items():
            if not isinstance(body, dict) or "jobs" not in body:
                continue
            trigger = _zuul_trigger(str(pname))
            for entry in as_list(body.get("jobs")):
                name = next(iter(entry)) if isinstance(entry, dict) and entry else entry
                if not isinstance(name, str):
                    continue
                pipe.jobs.append(_zuul_job(tree, path, name, trigger, local))
        # project templates bring check/gate jobs of a shared library the scan cannot see
        for t in pipe.templates:
            name = t.split(":", 1)[1]
            job = Job(f"{name} (template)", line=tree.line_of(path, name), triggers=["pull_request"], template=t,
                      strength=Strength.STRONG)
            job.implied = classes_from_name(name, "zuul template")
            pipe.jobs.append(job)
        if pipe.jobs:
            pipe.triggers = uniq([t for j in pipe.jobs for t in j.triggers])
            yield pipe


def _zuul_job(tree: Any, path: str, name: str, trigger: str, local: dict[str, dict[str, Any]]) -> Job:
    chain, texts, seen = [name], [], set()
    cur = local.get(name)
    defined_in = cur.get("_path") if cur else None
    while cur is not None and chain[-1] not in seen:
        seen.add(chain[-1])
        for key in ("pre-run", "run", "post-run"):
            for pb in as_list(cur.get(key)):
                pb = pb.get("name") if isinstance(pb, dict) else pb
                if isinstance(pb, str):
                    for cand in (pb, pb + ".yaml", pb + ".yml"):
                        if tree.exists(cand):
                            texts.append(tree.text(cand) or "")
                            break
        parent = cur.get("parent")
        if not isinstance(parent, str):
            break
        chain.append(parent)
        cur = local.get(parent)
    external = chain[-1] if chain[-1] not in local else None
    job = Job(name, line=tree.line_of(defined_in or path, name), path=defined_in if defined_in != path else None,
              triggers=[trigger], steps=[Step(t) for t in texts if t])
    job.implied = {}
    for n in reversed(chain):  # the job's own name wins over its parents'
        job.implied.update(classes_from_name(n, "zuul job"))
    if external:
        job.template = f"zuul:{external}"
        job.strength = Strength.STRONG
    return job
