"""Jenkins pipelines (declarative and scripted Jenkinsfiles), read as text."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from wafops.collectors.base import CollectContext
from wafops.collectors.repo.ci_model import Job, Pipeline, Step

_JENKINS_NAME = re.compile(r"(?i)(^|/)(jenkinsfile(\.[\w.-]+)?|[\w.-]+\.jenkinsfile)$")
_STAGE = re.compile(r"""\bstage\s*\(\s*(?:name\s*:\s*)?(['"])(.+?)\1\s*\)\s*\{""")
_INPUT = re.compile(r"(?m)^\s*input\b|\binput\s*\(|\binput\s+message\s*:")
_CRON = re.compile(r"""\bcron\s*\(\s*(?:spec\s*:\s*)?['"]([^'"]+)['"]""")


def _block_end(text: str, start: int) -> int:
    """Index just past the `}` matching the `{` at `start`, skipping strings and comments."""
    depth, i, n = 0, start, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
            continue
        for q in ("'''", '"""', "'", '"'):
            if text.startswith(q, i):
                j = i + len(q)
                while j < n and not text.startswith(q, j):
                    j += 2 if text[j] == "\\" else 1
                    if len(q) == 1 and j < n and text[j] == "\n":
                        break
                i = j + len(q)
                break
        else:
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
    return n


def jenkins_pipelines(ctx: CollectContext) -> Iterator[Pipeline]:
    tree = ctx.tree
    assert tree is not None
    for path in tree.files:
        # every _JENKINS_NAME match holds "jenk", case-folded (what `(?i)` accepts for those letters folds to them)
        if "jenk" not in path.casefold() or not _JENKINS_NAME.search(path):
            continue
        text = tree.text(path)
        if not text or not text.strip():
            continue
        crons = _CRON.findall(text)
        triggers = ["push"] + (["schedule"] if crons else [])
        # A multibranch pipeline (the common case) builds every branch and PR; a classic job that polls
        # SCM builds the one branch configured in Jenkins, so its tests do not run on PRs.
        multibranch = re.search(r"\bchangeRequest\s*\(|\bCHANGE_(?:ID|TARGET|BRANCH)\b|\bBRANCH_NAME\b|\bwhen\s*\{\s*branch\b", text)
        single = re.search(r"\bpollSCM\s*\(", text) is not None and not multibranch
        default_branches = ["(branch configured in the Jenkins job)"] if single else []
        pipe = Pipeline("jenkins", path, path, 1, triggers=triggers, schedules=crons)
        libs = re.findall(r"""@Library\s*\(\s*\[?\s*['"]([^'"]+)['"]""", text)
        pipe.templates = libs
        stages = [(m.start(), m.group(2), m.end() - 1) for m in _STAGE.finditer(text)]
        spans = [(s, name, brace, _block_end(text, brace)) for s, name, brace in stages]
        for start, name, brace, end in spans:
            inner = [x for x in spans if brace < x[0] < end]
            if inner:
                continue  # a group of stages: its leaves are the jobs
            parents = [x for x in spans if x[2] < start < x[3]]
            head = "".join(text[p[2]:min((c[0] for c in spans if p[2] < c[0] < p[3]), default=p[3])] for p in parents)
            body = text[brace:end]
            scope = head + body
            job = Job(name, line=text.count("\n", 0, start) + 1)
            job.triggers, job.branches = list(triggers), list(default_branches)
            job.manual_gate = _INPUT.search(scope) is not None
            branches = re.findall(r"""\bbranch\s*\(?\s*(?:pattern\s*:\s*)?['"]([^'"]+)['"]""", scope)
            if re.search(r"\bchangeRequest\s*\(", scope):
                job.triggers = ["pull_request"]
            elif re.search(r"\bbuildingTag\s*\(|\btag\s*\(?\s*['\"]", scope):
                job.triggers = ["tag"]
            elif branches:
                job.triggers, job.branches = ["push"], branches
            if re.search(r"""triggeredBy\s*\(?\s*['"](?:TimerTrigger|ParameterizedTimerTriggerCause)""", scope):
                job.triggers = ["schedule"]
            job.steps.append(Step(body))
            pipe.jobs.append(job)
        if not pipe.jobs:
            pipe.jobs.append(Job(posixpath.basename(path), line=1, triggers=list(triggers), branches=list(default_branches),
                                 steps=[Step(text)]))
        if re.search(r"\bchangeRequest\s*\(", text):
            pipe.triggers.append("pull_request")
        yield pipe
