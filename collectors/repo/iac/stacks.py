"""Stack templates and programs: CloudFormation and SAM (YAML and JSON, curated resources read), ARM
templates, CDK apps, Pulumi projects (and their state backend), the Serverless Framework, and Bicep."""

from __future__ import annotations

import re
from typing import Any

from wafops.collectors.repo.iac.backends import tool_backend
from wafops.collectors.repo.iac.drift import drift_tool
from wafops.collectors.repo.iac.state import IacRun, dirname, is_true, slim

CFN_RX = re.compile(r"AWSTemplateFormatVersion|AWS::Serverless-2016-10-31")
ARM_RX = re.compile(r"schema\.management\.azure\.com/schemas/[^\"]*deploymentTemplate")
CFN_INTERESTING_RX = re.compile(
    r"^AWS::(CloudWatch::\w+|Logs::LogGroup|Config::\w+|CodePipeline::\w+|CodeBuild::Project|CodeDeploy::\w+"
    r"|ECS::Service|Lambda::Alias|AppConfig::\w+|SSM::Document|Organizations::Policy|Synthetics::Canary"
    r"|Route53::HealthCheck|CloudTrail::Trail)$"
)
BICEP_INTERESTING_RX = re.compile(
    r"^Microsoft\.(Insights/\w+|Authorization/(policyAssignments|policyDefinitions|locks)|OperationalInsights/\w+"
    r"|Automation/automationAccounts/runbooks|PolicyInsights/remediations|Portal/dashboards)"
)


def cloudformation(run: IacRun, path: str, data: Any) -> None:
    if not isinstance(data, dict):
        return
    transform = data.get("Transform")
    sam = "AWS::Serverless" in str(transform)
    if "AWSTemplateFormatVersion" not in data and not sam:
        return
    tool = "sam" if sam else "cloudformation"
    res = data.get("Resources") if isinstance(data.get("Resources"), dict) else {}
    d = run.dir(tool, path)
    d.files += 1
    d.resources = (d.resources or 0) + len(res)
    d.root = True
    for logical, body in res.items():
        if not isinstance(body, dict):
            continue
        rtype = str(body.get("Type", ""))
        if not CFN_INTERESTING_RX.match(rtype):
            continue
        line = run.tree.line_of(path, re.compile(r"^\s+\"?" + re.escape(str(logical)) + r"\"?\s*:")) or 1
        props = body.get("Properties") if isinstance(body.get("Properties"), dict) else {}
        facts: dict[str, Any] = {}
        if rtype == "AWS::Organizations::Policy":
            facts = {"policy_type": props.get("Type"), "deny": '"Deny"' in str(props.get("Content")).replace("'", '"'),
                     "targets_root": any(str(t).startswith("r-") for t in (props.get("TargetIds") or []))}
        elif rtype == "AWS::Config::RemediationConfiguration":
            facts = {"automatic": is_true(props.get("Automatic"))}
        e = run.ev("iac.resource", path, line, {"type": rtype, "name": str(logical), "tool": tool,
                                                "dir": dirname(path), "body": slim(props), "parsed": True,
                                                "facts": facts}, f"{rtype} {logical}")
        run.resources.append((rtype, dirname(path), facts, e))
        drift_tool(run, path, line, rtype, str(logical), facts)


_TEMPLATE_ENDINGS = (".json", ".template", ".json\n", ".template\n")


def json_templates(run: IacRun) -> None:
    rx = re.compile(r"(?i)(template|cfn|cloudformation|stack|azuredeploy|deploy|arm)[^/]*\.json$|\.template$")
    for path in run.tree.files:
        # how every match's case-folded name ends (`$` also before a final newline), tested before the pattern:
        # exact, as what `(?i)` accepts for these letters folds to them
        if not path.casefold().endswith(_TEMPLATE_ENDINGS):
            continue
        if not rx.search(path) or path.endswith(".tf.json") or "/cdk.out/" in f"/{path}":
            continue
        text = run.tree.text(path)
        if not text:
            continue
        if CFN_RX.search(text):
            cloudformation(run, path, run.tree.json(path) if path.endswith(".json") else run.tree.yaml(path))
        elif ARM_RX.search(text):
            data = run.tree.json(path)
            if isinstance(data, dict):
                d = run.dir("arm", path)
                d.files += 1
                d.resources = (d.resources or 0) + len(data.get("resources") or [])
                d.root = True


def cdk_pulumi_serverless(run: IacRun) -> None:
    for path in run.tree.named("cdk.json"):
        data = run.tree.json(path)
        if isinstance(data, dict) and data.get("app"):
            d = run.dir("cdk", path)
            d.files += 1
            d.resources = None  # constructs live in program code; not counted
            d.root = True
    for path in run.tree.named("Pulumi.yaml", "Pulumi.yml"):
        data = run.tree.yaml(path)
        if not isinstance(data, dict):
            continue
        d = run.dir("pulumi", path)
        d.files += 1
        d.root = True
        res = data.get("resources")
        d.resources = len(res) if isinstance(res, dict) else None
        backend = data.get("backend") if isinstance(data.get("backend"), dict) else {}
        url = str(backend.get("url") or "")
        if url:
            scheme = url.split("://", 1)[0].lower()
            btype = {"s3": "s3", "azblob": "azurerm", "gs": "gcs", "file": "local"}.get(scheme, "pulumi-cloud")
            tool_backend(run, path, run.tree.line_of(path, "backend") or 1, "pulumi", btype,
                         "native" if scheme != "file" else "none", scheme != "file", f"Pulumi backend {btype}")
    for path in run.tree.named("serverless.yml", "serverless.yaml", "serverless.ts", "serverless.js"):
        data = run.tree.yaml(path) if path.endswith(("yml", "yaml")) else None
        d = run.dir("serverless", path)
        d.files += 1
        d.root = True
        if isinstance(data, dict):
            fns = data.get("functions") if isinstance(data.get("functions"), dict) else {}
            res = data.get("resources") if isinstance(data.get("resources"), dict) else {}
            cfn = res.get("Resources") if isinstance(res.get("Resources"), dict) else {}
            d.resources = len(fns) + len(cfn)
        else:
            d.resources = None


def bicep(run: IacRun) -> None:
    rx = re.compile(r"(?m)^[ \t]*resource[ \t]+(\w+)[ \t]+'([^'@]+)@[^']*'")
    for path in run.tree.with_suffix(".bicep"):
        text = run.tree.text(path)
        if text is None:
            continue
        found = list(rx.finditer(text))
        d = run.dir("bicep", path)
        d.files += 1
        d.resources = (d.resources or 0) + len(found)
        if re.search(r"(?m)^[ \t]*targetScope", text) or path.endswith("main.bicep"):
            d.root = True
        for m in found:
            rtype = m.group(2)
            if not BICEP_INTERESTING_RX.match(rtype):
                continue
            line = text.count("\n", 0, m.start()) + 1
            e = run.ev("iac.resource", path, line, {"type": rtype, "name": m.group(1), "tool": "bicep",
                                                    "dir": dirname(path), "body": {}, "parsed": False,
                                                    "facts": {}}, f"{rtype} {m.group(1)}")
            run.resources.append((rtype, dirname(path), {}, e))
            drift_tool(run, path, line, rtype, m.group(1), {})
