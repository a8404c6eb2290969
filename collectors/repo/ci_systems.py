"""D-CI parsers for the CI systems besides GitHub Actions, GitLab CI and Azure Pipelines.

Jenkins, CircleCI, Bitbucket Pipelines, AWS CodeBuild buildspecs, Google Cloud Build, Buildkite,
Drone, Tekton (Pipelines as Code), Travis CI, Atlantis, and pipelines declared in Terraform
(`aws_codepipeline`, `aws_codebuild_project`, `azuredevops_build_definition`,
`google_cloudbuild_trigger`). Each returns `Pipeline`s of the shared model in `ci_model`.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import Any

from wafops.collectors.base import CollectContext
from wafops.collectors.repo.ci_model import Job, Pipeline, Step, as_list, flatten_text, key_line, uniq
from wafops.collectors.repo.ci_steps import classes_from_name
from wafops.scanner.core.hcl import blocks, first
from wafops.scanner.core.model import Strength
from wafops.scanner.core.vocabulary import is_production

# ==== Jenkins (declarative and scripted, read as text) =========================================

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
        if not _JENKINS_NAME.search(path):
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


# ==== CircleCI =================================================================================


def circleci_pipelines(ctx: CollectContext) -> Iterator[Pipeline]:
    tree = ctx.tree
    assert tree is not None
    for path in tree.glob(".circleci/*.yml", ".circleci/*.yaml"):
        if path.count("/") != 1:
            continue
        data = tree.yaml(path)
        if not isinstance(data, dict) or not (isinstance(data.get("jobs"), dict) or isinstance(data.get("workflows"), dict)):
            continue
        yield _circleci(ctx, path, data)


def _circle_steps(step_list: Any, commands: dict[str, Any], depth: int = 0) -> list[str]:
    out: list[str] = []
    for st in as_list(step_list):
        if isinstance(st, str):
            out.append(st)
            if st in commands and depth < 4:
                out.extend(_circle_steps(commands[st].get("steps") if isinstance(commands[st], dict) else None, commands, depth + 1))
        elif isinstance(st, dict):
            for key, val in st.items():
                if key == "run":
                    out.append(flatten_text(val.get("command") if isinstance(val, dict) else val))
                else:
                    out.append(str(key))
                    if isinstance(val, dict):
                        out.extend(flatten_text(v) for k, v in val.items() if k in ("command", "args", "script"))
                    if key in commands and isinstance(commands[key], dict) and depth < 4:
                        out.extend(_circle_steps(commands[key].get("steps"), commands, depth + 1))
    return out


def _circleci(ctx: CollectContext, path: str, data: dict[str, Any]) -> Pipeline:
    pipe = Pipeline("circleci", path, path, 1)
    orbs = data.get("orbs") if isinstance(data.get("orbs"), dict) else {}
    pipe.templates = [str(v) for v in orbs.values() if isinstance(v, str)]
    jobs_def = data.get("jobs") if isinstance(data.get("jobs"), dict) else {}
    commands = data.get("commands") if isinstance(data.get("commands"), dict) else {}
    workflows = data.get("workflows") if isinstance(data.get("workflows"), dict) else {}
    wf_line = key_line(ctx, path, "workflows") or 1
    entries: list[tuple[str, str, dict[str, Any], list[str], list[str]]] = []
    for wf_name, wf in workflows.items():
        if not isinstance(wf, dict):
            continue
        wf_triggers = ["push"]
        crons = []
        for t in as_list(wf.get("triggers")):
            if isinstance(t, dict) and isinstance(t.get("schedule"), dict) and t["schedule"].get("cron"):
                crons.append(str(t["schedule"]["cron"]))
        if crons:
            wf_triggers = ["schedule"]
            pipe.schedules.extend(crons)
        if isinstance(wf.get("when"), str | dict) and "scheduled_pipeline" in str(wf.get("when")):
            wf_triggers = ["schedule"]
        for item in as_list(wf.get("jobs")):
            if isinstance(item, str):
                entries.append((str(wf_name), item, {}, list(wf_triggers), []))
            elif isinstance(item, dict):
                for ref, cfg in item.items():
                    cfg = cfg if isinstance(cfg, dict) else {}
                    trig, branches = list(wf_triggers), []
                    filters = cfg.get("filters") if isinstance(cfg.get("filters"), dict) else {}
                    br = filters.get("branches") if isinstance(filters.get("branches"), dict) else {}
                    tags = filters.get("tags") if isinstance(filters.get("tags"), dict) else {}
                    if br.get("only") is not None:
                        branches = [str(b) for b in as_list(br["only"])]
                    if tags.get("only") is not None:
                        trig = ["tag"] + ([] if str(br.get("ignore")) in ("/.*/", ".*") else ["push"])
                    entries.append((str(wf_name), str(ref), cfg, trig, branches))
    if not workflows:
        for name in jobs_def:
            entries.append(("", str(name), {}, ["push"], []))
    approvals = {str(cfg.get("name") or ref) for _, ref, cfg, _, _ in entries if cfg.get("type") == "approval"}
    requires = {str(cfg.get("name") or ref): [str(r) for r in as_list(cfg.get("requires"))] for _, ref, cfg, _, _ in entries}

    def gated(name: str, seen: set[str]) -> bool:
        for r in requires.get(name, []):
            if r in approvals or (r not in seen and gated(r, seen | {r})):
                return True
        return False

    for _wf, ref, cfg, trig, branches in entries:
        if cfg.get("type") == "approval":
            continue
        name = str(cfg.get("name") or ref)
        body = jobs_def.get(ref) if isinstance(jobs_def.get(ref), dict) else {}
        texts = [ref] + _circle_steps(body.get("steps"), commands)
        job = Job(name, line=key_line(ctx, path, ref, wf_line) or key_line(ctx, path, ref), triggers=trig, branches=branches)
        job.steps.append(Step("\n".join(texts)))
        job.needs = requires.get(name, [])
        job.manual_gate = gated(name, {name})
        if "/" in ref:
            job.template = ref
        for context in as_list(cfg.get("context")):
            if is_production(str(context), ctx.options.get("production_pattern")):
                job.environment, job.strength = str(context), Strength.STRONG
        pipe.jobs.append(job)
    pipe.triggers = uniq([t for j in pipe.jobs for t in j.triggers])
    return pipe


# ==== Bitbucket Pipelines ======================================================================


def bitbucket_pipelines(ctx: CollectContext) -> Iterator[Pipeline]:
    tree = ctx.tree
    assert tree is not None
    for path in tree.named("bitbucket-pipelines.yml", "bitbucket-pipelines.yaml"):
        data = tree.yaml(path)
        if not isinstance(data, dict) or not isinstance(data.get("pipelines"), dict):
            continue
        pipe = Pipeline("bitbucket", path, path, 1)
        sections = data["pipelines"]
        for section, spec in sections.items():
            section = str(section)
            if section == "default":
                groups = [("", "push", [], spec)]
            elif section in ("branches", "tags", "pull-requests", "custom") and isinstance(spec, dict):
                trig = {"branches": "push", "tags": "tag", "pull-requests": "pull_request", "custom": "manual"}[section]
                groups = [(str(k), trig, [str(k)] if section == "branches" else [], v) for k, v in spec.items()]
            else:
                continue
            for label, trig, branches, items in groups:
                _bb_items(ctx, pipe, section, label, trig, branches, items, None, False)
        pipe.triggers = uniq([t for j in pipe.jobs for t in j.triggers])
        yield pipe


def _bb_items(ctx: CollectContext, pipe: Pipeline, section: str, label: str, trig: str, branches: list[str], items: Any,
              deployment: str | None, manual: bool) -> None:
    for item in as_list(items):
        if not isinstance(item, dict):
            continue
        if isinstance(item.get("parallel"), list | dict):
            par = item["parallel"]
            _bb_items(ctx, pipe, section, label, trig, branches, par.get("steps") if isinstance(par, dict) else par, deployment, manual)
        if isinstance(item.get("stage"), dict):
            st = item["stage"]
            _bb_items(ctx, pipe, section, label, trig, branches, st.get("steps"), st.get("deployment") or deployment,
                      manual or st.get("trigger") == "manual")
        step = item.get("step")
        if not isinstance(step, dict):
            continue
        name = str(step.get("name") or f"{section} {label}".strip())
        texts = []
        for line in as_list(step.get("script")) + as_list(step.get("after-script")):
            if isinstance(line, dict) and line.get("pipe"):
                texts.append(str(line["pipe"]))
            else:
                texts.append(flatten_text(line))
        assert ctx.tree is not None
        line_no = ctx.tree.line_of(pipe.path, re.compile(r"name:\s*['\"]?" + re.escape(name))) if step.get("name") else None
        job = Job(name, line=line_no or key_line(ctx, pipe.path, label or section), triggers=[trig], branches=branches)
        job.environment = str(step.get("deployment") or deployment) if (step.get("deployment") or deployment) else None
        job.manual_gate = manual or step.get("trigger") == "manual"
        job.steps.append(Step("\n".join(texts)))
        pipe.jobs.append(job)


# ==== AWS CodeBuild, Google Cloud Build ========================================================


def codebuild_pipelines(ctx: CollectContext) -> Iterator[Pipeline]:
    tree = ctx.tree
    assert tree is not None
    for path in tree.glob("*buildspec*.yml", "*buildspec*.yaml"):
        base = posixpath.basename(path).lower()
        if not base.startswith("buildspec"):
            continue
        data = tree.yaml(path)
        if not isinstance(data, dict) or not isinstance(data.get("phases"), dict):
            continue
        texts = [flatten_text(ph.get("commands")) for ph in data["phases"].values() if isinstance(ph, dict)]
        job = Job(posixpath.basename(path), line=key_line(ctx, path, "phases"), triggers=["other"], steps=[Step("\n".join(texts))])
        yield Pipeline("codebuild", path, path, 1, triggers=["other"], jobs=[job])


def cloudbuild_pipelines(ctx: CollectContext) -> Iterator[Pipeline]:
    tree = ctx.tree
    assert tree is not None
    for path in tree.glob("*cloudbuild*.yml", "*cloudbuild*.yaml"):
        if not posixpath.basename(path).lower().startswith("cloudbuild"):
            continue
        data = tree.yaml(path)
        if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
            continue
        texts = []
        for st in data["steps"]:
            if isinstance(st, dict):
                parts = (flatten_text(st.get(k)).replace("\n", " ").strip() for k in ("name", "entrypoint", "args"))
                texts.append(" ".join(p for p in parts if p))
                texts.append(flatten_text(st.get("script")))
        job = Job(posixpath.basename(path), line=key_line(ctx, path, "steps"), triggers=["other"], steps=[Step("\n".join(texts))])
        if _CLOUD_DEPLOY_RELEASE.search(job.steps[0].text):
            _cloud_deploy_targets(ctx, job)
        yield Pipeline("cloudbuild", path, path, 1, triggers=["other"], jobs=[job])


# `gcloud deploy releases create --delivery-pipeline=x` hands the release to a Cloud Deploy delivery pipeline, which
# promotes it through its targets; the targets the repository declares (Terraform `google_clouddeploy_target`,
# or a `kind: Target` in Cloud Deploy YAML) are where the job's releases go.
_CLOUD_DEPLOY_RELEASE = re.compile(r"\bgcloud deploy releases create\b|--delivery-pipeline\b")


def _cloud_deploy_targets(ctx: CollectContext, job: Job) -> None:
    tree = ctx.tree
    assert tree is not None
    names: list[str] = []
    for path in tree.with_suffix(".tf"):
        text = tree.text(path) or ""
        if '"google_clouddeploy_target"' not in text:
            continue
        for b in blocks(tree.hcl(path)):
            if b.type == "resource" and len(b.labels) >= 2 and b.labels[0] == "google_clouddeploy_target":
                name = b.body.get("name")
                name = first(name) if isinstance(name, list) else name
                names.append(str(name) if isinstance(name, str) and "${" not in name else b.labels[1])
    for path in tree.glob("*clouddeploy*.yaml", "*clouddeploy*.yml", "*deploy*/*.yaml"):
        for doc in tree.yaml_docs(path):
            if isinstance(doc, dict) and doc.get("kind") == "Target" and "deploy.cloud.google.com" in str(doc.get("apiVersion")):
                meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
                if meta.get("name"):
                    names.append(str(meta["name"]))
    names = uniq(names)
    if not names:
        return
    prod = [n for n in names if is_production(n, ctx.options.get("production_pattern"))]
    job.environment = prod[0] if prod else names[-1]
    job.env_candidates = names
    job.strength = Strength.STRONG


# ==== Deploy tools whose configuration lives in the repository ==================================

# Shipit (Shopify's deploy tool): `shipit.yml` / `shipit.<stack>.yml` holds the deploy and rollback commands a stack
# runs; the stack (its environment) is chosen in Shipit and passed as $ENVIRONMENT. Deploys are started there
# (by a person or continuous delivery), so the trigger is `manual`.
_ENV_PATH = re.compile(r"([\w./-]+)/\$\{?ENVIRONMENT\}?\b")


def shipit_pipelines(ctx: CollectContext) -> Iterator[Pipeline]:
    tree = ctx.tree
    assert tree is not None
    for path in tree.glob("shipit.yml", "shipit.*.yml", "shipit.yaml", "shipit.*.yaml"):
        if "/" in path:
            continue
        data = tree.yaml(path)
        if not isinstance(data, dict) or not isinstance(data.get("deploy"), dict):
            continue
        pipe = Pipeline("shipit", path, path, 1, triggers=["manual"])
        stack = posixpath.basename(path).split(".")[1] if path.count(".") >= 2 else ""
        for section in ("deploy", "rollback"):
            body = data.get(section)
            if not isinstance(body, dict):
                continue
            text = flatten_text(body.get("override") or body.get("pre") or body.get("post"))
            if not text:
                continue
            job = Job(section, line=key_line(ctx, path, section), triggers=["manual"], steps=[Step(text)])
            if section == "rollback":
                job.implied = {"rollback": "shipit rollback"}
            envs: list[str] = []
            for m in _ENV_PATH.finditer(text):
                prefix = m.group(1).strip("./") + "/"
                envs += [f[len(prefix):].split("/", 1)[0] for f in tree.files if f.startswith(prefix) and "/" in f[len(prefix):]]
            envs = uniq(envs)
            if stack:
                job.environment = stack
            elif envs:
                job.environment, job.env_candidates = "$ENVIRONMENT", envs
                job.strength = Strength.STRONG
            pipe.jobs.append(job)
        if pipe.jobs:
            yield pipe


# ==== Zalando CDP (delivery.yaml) ==================================================================

# `delivery.yaml`: a `pipeline` list of steps with `id`, `type` (script, process, deploy), `when` (branches and
# events), `commands` (desc + cmd) or a process `desc`/`config`; `depends_on` orders them.
_CDP_EVENTS = {"pull_request": "pull_request", "push": "push", "tag": "tag", "schedule": "schedule"}


def cdp_pipelines(ctx: CollectContext) -> Iterator[Pipeline]:
    tree = ctx.tree
    assert tree is not None
    for path in tree.named("delivery.yaml", "delivery.yml"):
        if "/" in path:
            continue
        data = tree.yaml(path)
        steps = data.get("pipeline") if isinstance(data, dict) else None
        if not isinstance(steps, list) or not any(isinstance(st, dict) and "id" in st and "type" in st for st in steps):
            continue
        pipe = Pipeline("cdp", path, path, 1)
        for st in steps:
            if not isinstance(st, dict) or not st.get("id"):
                continue
            name = str(st["id"])
            triggers: list[str] = []
            branches: list[str] = []
            for cond in as_list(st.get("when")):
                if not isinstance(cond, dict):
                    continue
                ev = cond.get("event")
                br = [str(b) for b in as_list(cond.get("branch"))]
                branches += br
                triggers.append(_CDP_EVENTS.get(str(ev), "other") if ev else "push")
            job = Job(name, line=tree.line_of(path, re.compile(r"-\s*id:\s*['\"]?" + re.escape(name))),
                      triggers=uniq(triggers) or ["push", "pull_request"], branches=uniq(branches))
            job.needs = [str(d) for d in as_list(st.get("depends_on"))]
            text = flatten_text([c.get("cmd") for c in as_list(st.get("commands")) if isinstance(c, dict)])
            desc = " ".join(str(x) for x in [st.get("desc")] + [c.get("desc") for c in as_list(st.get("commands"))
                                                                 if isinstance(c, dict)] if x)
            job.steps.append(Step(text))
            job.implied = classes_from_name(f"{name} {desc}".replace(" ", "-"), "CDP step")
            if str(st.get("type")) == "deploy":
                job.implied["deploy"] = f"CDP deploy step {name}"[:60]
            pipe.jobs.append(job)
        if pipe.jobs:
            pipe.triggers = uniq([t for j in pipe.jobs for t in j.triggers])
            yield pipe


# ==== Buildkite, Drone, Tekton, Travis, Atlantis ===============================================


def buildkite_pipelines(ctx: CollectContext) -> Iterator[Pipeline]:
    tree = ctx.tree
    assert tree is not None
    for path in tree.glob(".buildkite/*.yml", ".buildkite/*.yaml", "buildkite.yml", "buildkite.yaml"):
        data = tree.yaml(path)
        steps = data.get("steps") if isinstance(data, dict) else data if isinstance(data, list) else None
        if not isinstance(steps, list):
            continue
        pipe = Pipeline("buildkite", path, path, 1, triggers=["push"])
        blocked = False
        for i, st in enumerate(steps):
            if isinstance(st, dict) and ("block" in st or "input" in st):
                blocked = True
                continue
            items = st.get("group") and st.get("steps") if isinstance(st, dict) else None
            for sub in (items if isinstance(items, list) else [st]):
                if not isinstance(sub, dict) or not (sub.get("command") or sub.get("commands") or sub.get("plugins") or sub.get("trigger")):
                    continue
                name = str(sub.get("label") or sub.get("key") or sub.get("name") or f"step {i + 1}")
                text = flatten_text([sub.get("command"), sub.get("commands"), sub.get("trigger")])
                plugins = sub.get("plugins")
                text += "\n" + "\n".join(str(k) for p in as_list(plugins) for k in (p if isinstance(p, dict) else {p: None}))
                job = Job(name, line=ctx.tree.line_of(path, name), triggers=["push"], manual_gate=blocked, steps=[Step(text)])
                job.needs = [str(d) for d in as_list(sub.get("depends_on")) if isinstance(d, str)]
                if sub.get("branches"):
                    job.branches = str(sub["branches"]).split()
                pipe.jobs.append(job)
        yield pipe


def drone_pipelines(ctx: CollectContext) -> Iterator[Pipeline]:
    tree = ctx.tree
    assert tree is not None
    for path in tree.named(".drone.yml", ".drone.yaml"):
        pipe = Pipeline("drone", path, path, 1)
        for doc in tree.yaml_docs(path):
            if not isinstance(doc, dict) or doc.get("kind") not in (None, "pipeline") or not isinstance(doc.get("steps"), list):
                continue
            trig = doc.get("trigger") if isinstance(doc.get("trigger"), dict) else {}
            events = [str(e) for e in as_list(trig.get("event"))] or ["push", "pull_request", "tag"]
            mapped = uniq([{"push": "push", "pull_request": "pull_request", "tag": "tag", "cron": "schedule", "promote": "manual",
                            "rollback": "manual", "custom": "manual"}.get(e, "other") for e in events])
            target = [str(t) for t in as_list(trig.get("target"))]
            name = str(doc.get("name") or "default")
            texts = [flatten_text(s.get("commands")) + "\n" + str(s.get("image") or "") for s in doc["steps"] if isinstance(s, dict)]
            job = Job(name, line=tree.line_of(path, re.compile(r"^name:\s*['\"]?" + re.escape(name))), triggers=mapped,
                      steps=[Step("\n".join(texts))])
            job.branches = [str(b) for b in as_list(trig.get("branch"))]
            prod = [t for t in target if is_production(t, ctx.options.get("production_pattern"))]
            if prod:
                job.environment = prod[0]
                job.manual_gate = "promote" in events
            job.needs = [str(d) for d in as_list(doc.get("depends_on"))]
            pipe.jobs.append(job)
        if pipe.jobs:
            pipe.triggers = uniq([t for j in pipe.jobs for t in j.triggers])
            yield pipe


# ==== Prow (Kubernetes ecosystem) ===============================================================

_PROW_KINDS = {"presubmits": "pull_request", "postsubmits": "push", "periodics": "schedule"}


def prow_pipelines(ctx: CollectContext) -> Iterator[Pipeline]:
    """In-repo Prow jobs (`.prow.yaml`, `.prow/*.yaml`): presubmits run on PRs, postsubmits on merges,
    periodics on a schedule. Their commands are the pod containers' `command` + `args`."""
    tree = ctx.tree
    assert tree is not None
    for path in tree.named(".prow.yaml", ".prow.yml") + tree.glob(".prow/*.yaml", ".prow/*.yml"):
        data = tree.yaml(path)
        if not isinstance(data, dict):
            continue
        pipe = Pipeline("prow", path, path, 1)
        for key, trigger in _PROW_KINDS.items():
            for pj in as_list(data.get(key)):
                if not isinstance(pj, dict) or not pj.get("name"):
                    continue
                name = str(pj["name"])
                spec = pj.get("spec") if isinstance(pj.get("spec"), dict) else {}
                text = "\n".join(" ".join(flatten_text(c.get(k)).replace("\n", " ") for k in ("command", "args"))
                                 for c in as_list(spec.get("containers")) if isinstance(c, dict))
                job = Job(name, line=tree.line_of(path, re.compile(r"name:\s*['\"]?" + re.escape(name))),
                          triggers=[trigger], steps=[Step(text)])
                job.branches = [str(b).strip("^$") for b in as_list(pj.get("branches"))]
                if trigger == "schedule":
                    cron = pj.get("cron")
                    if cron:
                        pipe.schedules.append(str(cron))
                pipe.jobs.append(job)
        if pipe.jobs:
            pipe.triggers = uniq([t for j in pipe.jobs for t in j.triggers])
            yield pipe


# ==== Zuul (OpenStack, Ansible, Fedora infrastructure) ===========================================

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


def tekton_pipelines(ctx: CollectContext) -> Iterator[Pipeline]:
    tree = ctx.tree
    assert tree is not None
    for path in tree.glob(".tekton/*.yml", ".tekton/*.yaml"):
        for doc in tree.yaml_docs(path):
            if not isinstance(doc, dict) or doc.get("kind") not in ("Pipeline", "PipelineRun"):
                continue
            meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
            ann = meta.get("annotations") if isinstance(meta.get("annotations"), dict) else {}
            on = str(ann.get("pipelinesascode.tekton.dev/on-event") or "")
            triggers = uniq(["pull_request" if "pull_request" in on else "", "push" if "push" in on else ""]) or ["other"]
            triggers = [t for t in triggers if t] or ["other"]
            spec = doc.get("spec") if isinstance(doc.get("spec"), dict) else {}
            pspec = spec.get("pipelineSpec") if isinstance(spec.get("pipelineSpec"), dict) else spec
            pipe = Pipeline("tekton", path, str(meta.get("name") or path), 1, triggers=triggers)
            for task in as_list(pspec.get("tasks")) + as_list(pspec.get("finally")):
                if not isinstance(task, dict):
                    continue
                name = str(task.get("name") or "task")
                ref = task.get("taskRef") if isinstance(task.get("taskRef"), dict) else {}
                tspec = task.get("taskSpec") if isinstance(task.get("taskSpec"), dict) else {}
                text = "\n".join([str(ref.get("name") or "")] + [flatten_text([s.get("script"), s.get("args"), s.get("command")])
                                                                   for s in as_list(tspec.get("steps")) if isinstance(s, dict)])
                job = Job(name, line=tree.line_of(path, re.compile(r"-\s*name:\s*['\"]?" + re.escape(name))), triggers=triggers,
                          steps=[Step(text)], needs=[str(x) for x in as_list(task.get("runAfter"))])
                pipe.jobs.append(job)
            if pipe.jobs:
                yield pipe


def travis_pipelines(ctx: CollectContext) -> Iterator[Pipeline]:
    tree = ctx.tree
    assert tree is not None
    if not tree.exists(".travis.yml"):
        return
    data = tree.yaml(".travis.yml")
    if not isinstance(data, dict):
        return
    texts = [flatten_text(data.get(k)) for k in ("install", "before_script", "script", "after_success")]
    for d in as_list(data.get("deploy")):
        if isinstance(d, dict) and d.get("provider"):
            prov = str(d["provider"]).lower()
            texts.append({"pypi": "twine upload", "npm": "npm publish", "releases": "gh release create"}.get(prov, f"{prov} deploy"))
    triggers = ["push", "pull_request"]
    job = Job("travis", line=key_line(ctx, ".travis.yml", "script") or 1, triggers=triggers, steps=[Step("\n".join(texts))])
    yield Pipeline("travis", ".travis.yml", ".travis.yml", 1, triggers=triggers, jobs=[job], strength=Strength.STRONG)


def atlantis_pipelines(ctx: CollectContext) -> Iterator[Pipeline]:
    tree = ctx.tree
    assert tree is not None
    for path in tree.named("atlantis.yaml", "atlantis.yml"):
        data = tree.yaml(path)
        if not isinstance(data, dict):
            continue
        pipe = Pipeline("atlantis", path, path, 1, triggers=["pull_request"])
        for proj in as_list(data.get("projects")):
            if not isinstance(proj, dict):
                continue
            name = str(proj.get("name") or proj.get("dir") or "project")
            reqs = [str(r) for r in as_list(proj.get("apply_requirements") or proj.get("plan_requirements"))]
            job = Job(name, line=tree.line_of(path, str(proj.get("name") or proj.get("dir") or "projects")), triggers=["pull_request"],
                      steps=[Step("terraform plan\nterraform apply")], manual_gate="approved" in reqs)
            ws = str(proj.get("workspace") or "")
            if is_production(ws, ctx.options.get("production_pattern")):
                job.environment = ws
            pipe.jobs.append(job)
        if pipe.jobs:
            yield pipe


# ==== Terraform-declared pipelines =============================================================

_TF_PIPES = ("aws_codepipeline", "aws_codebuild_project", "azuredevops_build_definition", "google_cloudbuild_trigger")


def terraform_pipelines(ctx: CollectContext) -> Iterator[Pipeline]:
    tree = ctx.tree
    assert tree is not None
    for path in tree.with_suffix(".tf"):
        text = tree.text(path)
        if not text or not any(f'"{t}"' in text for t in _TF_PIPES):
            continue
        for b in blocks(tree.hcl(path)):
            if b.type != "resource" or len(b.labels) < 2 or b.labels[0] not in _TF_PIPES:
                continue
            rtype, rname = b.labels[0], b.labels[1]
            line = tree.line_of(path, re.compile(rf'resource\s+"{rtype}"\s+"{re.escape(rname)}"'))
            yield _tf_pipeline(ctx, path, line, rtype, rname, b.body)


def _tf_pipeline(ctx: CollectContext, path: str, line: int | None, rtype: str, rname: str, body: dict[str, Any]) -> Pipeline:
    system = {"aws_codepipeline": "aws-codepipeline", "aws_codebuild_project": "codebuild",
              "azuredevops_build_definition": "azuredevops", "google_cloudbuild_trigger": "google-cloudbuild"}[rtype]
    pipe = Pipeline(system, path, f"{rtype}.{rname}", line, triggers=["other"])
    if rtype == "aws_codepipeline":
        approved = False
        for stage in as_list(body.get("stage")):
            if not isinstance(stage, dict):
                continue
            sname = str(stage.get("name") or "stage")
            job = Job(sname, line=ctx.tree.line_of(path, re.compile(r"name\s*=\s*\"" + re.escape(sname) + '"'), line or 1)
                      if ctx.tree else line, triggers=["push"])
            for action in as_list(stage.get("action")):
                if not isinstance(action, dict):
                    continue
                cat = str(action.get("category") or "").lower()
                prov = str(action.get("provider") or "")
                if cat == "approval":
                    approved = True
                elif cat == "deploy":
                    job.implied.setdefault("deploy", f"CodePipeline {prov} deploy")
                elif cat == "build":
                    job.implied.setdefault("build", f"CodePipeline {prov} build")
                elif cat == "test":
                    job.implied.setdefault("test", f"CodePipeline {prov} test")
            job.manual_gate = approved and "deploy" in job.implied
            if is_production(sname, ctx.options.get("production_pattern")):
                job.environment = sname
            if job.implied or job.manual_gate:
                pipe.jobs.append(job)
            elif any(isinstance(a, dict) and str(a.get("category")).lower() == "source" for a in as_list(stage.get("action"))):
                continue
            else:
                pipe.jobs.append(job)
        pipe.triggers = ["push"]
    else:
        src = first(body.get("source"))
        text = flatten_text(src.get("buildspec")) if isinstance(src, dict) else ""
        trig = ["other"]
        gh = first(body.get("github"))
        if isinstance(gh, dict):
            trig = ["pull_request"] if gh.get("pull_request") else ["push"]
        ci = first(body.get("ci_trigger"))
        if isinstance(ci, dict):
            trig = ["push"]
        pipe.triggers = trig
        pipe.jobs.append(Job(rname, line=line, triggers=trig, steps=[Step(text)]))
    return pipe
