"""Who must review: CODEOWNERS (GitHub/GitLab order and semantics) and Prow-style OWNERS files."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from wafops.collectors.repo.change.common import ChangeScan
from wafops.scanner.core.model import Evidence

CODEOWNERS_PATHS = ("CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS")
IAC_SAMPLES = ("terraform/main.tf", "infra/main.tf", "main.tf", "modules/x/main.tf", "infrastructure/main.tf")
CI_SAMPLES = (".github/workflows/ci.yml", ".gitlab-ci.yml")
ALERT_RX = re.compile(r"(?i)(^|/)(alerts?|alerting|monitoring|prometheus)(/|$)|alert[^/]*\.(ya?ml|json|tf)$|rules?\.ya?ml$")
IAC_RX = re.compile(r"(?i)\.(tf|tfvars|hcl|bicep)$|(^|/)(cloudformation|cdk|pulumi|helm|charts|k8s|kubernetes)/")


def codeowners(scan: ChangeScan) -> Iterator[Evidence]:
    tree = scan.tree
    for path in CODEOWNERS_PATHS:
        if not tree.exists(path):
            continue
        text = tree.text(path)
        if text is None:
            continue
        rules, errors, section_approvals = parse_codeowners(text)
        if not rules:
            continue
        # A pattern with no owner assigns nobody (GitHub reads it as "unowned"): a file of bare
        # user names is not a review rule, so only rules that name an owner count.
        owned = [r for r in rules if r[1]]
        iac = [f for f in tree.files if IAC_RX.search(f)][:500] or list(IAC_SAMPLES)
        ci = [f for f in tree.files if f.startswith(".github/workflows/") or f == ".gitlab-ci.yml"][:200] or list(CI_SAMPLES)
        alerts = [f for f in tree.files if ALERT_RX.search(f)][:500]
        attrs = {
            "rules": len(owned),
            "unowned_rules": len(rules) - len(owned),
            "covers_iac": _covered(rules, iac),
            "covers_ci": _covered(rules, ci),
            "covers_alerts": _covered(rules, alerts) if alerts else _covered(rules, ["alerts/rules.yml"]),
            "covers_all": any(p in ("*", "/*", "**", "/**", "/") and owners for p, owners in rules),
            "owner_sets": len({tuple(sorted(o)) for _, o in rules if o}),
            "section_approvals": section_approvals,
            "errors": errors[:20],
        }
        yield scan.ctx.file_evidence(
            "change.codeowners", path, line=1, attributes=attrs,
            summary=f"CODEOWNERS with {len(owned)} owned rule(s)" + (" incl. a catch-all" if attrs["covers_all"] else ""),
        )
        return  # GitHub uses the first one found, in this order
    yield from prow_owners(scan)


def prow_owners(scan: ChangeScan) -> Iterator[Evidence]:
    """Prow/Kubernetes-style OWNERS files (kubernetes, kubernetes-sigs, istio, knative...): every directory may
    name `approvers`/`reviewers`; the review bot assigns them and merge waits for /lgtm and /approve from them.
    The root OWNERS covers the whole tree (recursively), so it plays the part of a CODEOWNERS catch-all. Only
    the root file is parsed; the others are counted by name."""
    tree = scan.tree
    if not tree.exists("OWNERS"):
        return
    doc = tree.yaml("OWNERS")
    if not isinstance(doc, dict):
        return

    def people(d: Any) -> list[str]:
        if not isinstance(d, dict):
            return []
        return [str(x) for k in ("approvers", "reviewers") for x in (d.get(k) or []) if isinstance(d.get(k), list)]

    filters = doc.get("filters") if isinstance(doc.get("filters"), dict) else {}
    owners = people(doc) + [o for f in filters.values() for o in people(f)]
    if not owners:
        return
    files = [f for f in tree.named("OWNERS") if is_product_owners(f)]
    attrs = {"rules": len(files), "covers_iac": True, "covers_ci": True, "covers_alerts": True, "covers_all": True,
             "owner_sets": len(files), "section_approvals": 0, "errors": [], "format": "prow-owners"}
    yield scan.ctx.file_evidence("change.codeowners", "OWNERS", line=1, attributes=attrs,
                                 summary=f"Prow OWNERS files ({len(files)}) name approvers and reviewers; the root one "
                                         "covers the whole tree")


def parse_codeowners(text: str) -> tuple[list[tuple[str, list[str]]], list[str], int]:
    """(rules as (pattern, owners), syntax errors, highest GitLab section approval count)."""
    rules: list[tuple[str, list[str]]] = []
    errors: list[str] = []
    approvals = 0
    owner_rx = re.compile(r"^(@[\w.\-/]+|[^@\s]+@[^@\s]+\.[\w]+)$")
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        m = re.match(r"^\^?\[([^\]]+)\](?:\[(\d+)\])?(.*)$", line)
        if m:  # GitLab section header, optionally with default owners
            if m.group(2):
                approvals = max(approvals, int(m.group(2)))
            continue
        parts = line.split()
        pattern, owners = parts[0], parts[1:]
        bad = [o for o in owners if not owner_rx.match(o)]
        if bad:
            errors.append(f"line {n}: owner syntax {bad[0][:40]!r}")
        rules.append((pattern, [o for o in owners if owner_rx.match(o)]))
    return rules, errors, approvals


def is_product_owners(path: str) -> bool:
    """OWNERS files outside vendored code and test data."""
    return not re.search(r"(^|/)(vendor|third_party|testdata|node_modules)/", path)


def _codeowners_rx(pattern: str) -> re.Pattern[str]:
    """gitignore-style CODEOWNERS pattern -> regex over repo-relative paths."""
    p = pattern
    anchored = p.startswith("/") or "/" in p.rstrip("/")
    p = p.lstrip("/")
    directory = p.endswith("/")
    p = p.rstrip("/")
    out = ""
    i = 0
    while i < len(p):
        if p[i:i + 3] == "**/":
            out += "(?:.*/)?"
            i += 3
        elif p[i:i + 2] == "**":
            out += ".*"
            i += 2
        elif p[i] == "*":
            out += "[^/]*"
            i += 1
        elif p[i] == "?":
            out += "[^/]"
            i += 1
        else:
            out += re.escape(p[i])
            i += 1
    prefix = "^" if anchored else "^(?:.*/)?"
    last = p.rsplit("/", 1)[-1]
    # GitHub: `docs/*` owns files directly in docs/, not deeper; a plain name owns the directory's content too
    suffix = "/.*$" if directory else "$" if "*" in last and "**" not in last else "(?:/.*)?$"
    return re.compile(prefix + out + suffix)


def _covered(rules: list[tuple[str, list[str]]], files: list[str]) -> bool:
    """True when some file is owned under last-match-wins semantics."""
    compiled = [(_codeowners_rx(p), owners) for p, owners in rules]
    for f in files:
        owners: list[str] = []
        for rx, o in compiled:
            if rx.match(f):
                owners = o
        if owners:
            return True
    return False
