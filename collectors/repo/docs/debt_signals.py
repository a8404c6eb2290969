"""Informal debt tracking (WAF++ OPS-100 level 2, "Informal"): debt sections in release notes, debt and
maintenance issue templates, lint-debt files, scheduled workflows filing upkeep work, TODO/FIXME/HACK markers."""

from __future__ import annotations

import re
from collections.abc import Iterator

from wafops.collectors.base import CollectContext
from wafops.collectors.repo.docs import markup
from wafops.collectors.repo.docs.markup import EXCLUDE_RX
from wafops.collectors.repo.docs.state import DocsScan
from wafops.scanner.core.model import Evidence, Strength
from wafops.scanner.core.vocabulary import redact

DEBT_WORD_RX = re.compile(r"(?i)tech(nical)?[-_ ]?debt|ops[-_ ]?debt|operational[-_ ]?debt|\btoil\b|\bdebt\b")
# issue templates for debt, or for maintenance/chores/refactoring (weak: "maintenance" may mean org support)
DEBT_TEMPLATE_RX = re.compile(r"(?i)debt|toil|maintenance|chore|refactor|housekeeping|upkeep")
# lint debt kept as a file: generated "todo"/baseline lists of known violations to pay down
LINT_DEBT_FILES = {
    ".rubocop_todo.yml": "rubocop", ".rubocop-todo.yml": "rubocop", ".eslint-todo.json": "eslint",
    "eslint-suppressions.json": "eslint", ".eslintrc-todo.json": "eslint", "phpstan-baseline.neon": "phpstan",
    "psalm-baseline.xml": "psalm", "detekt-baseline.xml": "detekt", "lint-baseline.xml": "android-lint",
    ".betterer.results": "betterer", ".mypy-baseline.txt": "mypy", "mypy-baseline.txt": "mypy",
    ".pylint-baseline": "pylint", ".standard_todo.yml": "standardrb", ".haml-lint_todo.yml": "haml-lint",
    ".erb-lint_todo.yml": "erb-lint", ".scss-lint_todo.yml": "scss-lint",
}
RELEASE_NOTE_FILES = (".github/release.yml", ".github/release.yaml", ".github/release-drafter.yml",
                      ".github/release-drafter.yaml", ".github/*changelog*.json", ".github/*changelog*.yml",
                      "*changelog*config*.json", ".github/configs/*changelog*.json")
# `# TODO: remove after 2023-06-30`, `// FIXME(name)`, `{{/* TODO ... */}}`: a marker opening a comment
MARKER_RX = re.compile(r"(?:#|//|/\*|^\s*\*|--|;|<!--)\s*(?:TODO|FIXME|HACK)\b")
MARKER_EXT = (".py", ".rb", ".go", ".java", ".kt", ".kts", ".js", ".jsx", ".mjs", ".ts", ".tsx", ".cs", ".scala", ".rs",
              ".php", ".ex", ".exs", ".swift", ".c", ".h", ".cc", ".cpp", ".sh", ".bash", ".tf", ".hcl", ".yaml", ".yml",
              ".erb", ".groovy", ".sql", ".ps1", ".jsonnet", ".libsonnet", ".vue", ".svelte")
MARKER_EXCLUDE_RX = re.compile(r"(?i)(^|/)(e2e|generated|gen|dist|build|third[-_]party|migrations)(/|$)|\.min\.|_test\.go$|"
                               r"(^|/)test_[^/]*\.py$|\.(test|spec)\.|_spec\.rb$")
MAX_MARKER_FILES = 3000
MAX_MARKER_BYTES = 300_000
MARKER_STOP = 100  # enough to say "many"; the sweep stops counting there


def debt_signals(scan: DocsScan) -> Iterator[Evidence]:
    """Informal debt tracking a reader sees in the repository itself (WAF++ OPS-100 level 2, "Informal"):
    debt sections/labels in release-notes configuration, debt/maintenance issue templates, lint-debt
    ("todo"/baseline) files, and TODO/FIXME/HACK markers in code (a bounded sweep)."""
    ctx = scan.ctx
    yield from _release_note_debt(ctx)
    yield from _debt_templates(ctx)
    yield from _lint_debt_files(ctx)
    yield from _scheduled_upkeep_filing(ctx)
    yield from _debt_markers(ctx)


def _debt_templates(ctx: CollectContext) -> Iterator[Evidence]:
    """Issue templates for debt (strong) or for maintenance, chores, refactoring (weak)."""
    tree = ctx.tree
    for path in tree.glob(".github/ISSUE_TEMPLATE/*", ".gitlab/issue_templates/*"):
        stem = markup.stem(path).rsplit(".", 1)[0]
        m = DEBT_TEMPLATE_RX.search(stem)
        if not m:
            continue
        debt = bool(re.search(r"(?i)debt|toil", stem))
        yield ctx.file_evidence("doc.debt_label", path, line=1,
                                attributes={"via": "issue-template", "name": redact(stem, 60), "debt": debt},
                                strength=Strength.STRONG if debt else Strength.WEAK,
                                summary=f"{'debt' if debt else 'maintenance'} issue template {stem}")


def _lint_debt_files(ctx: CollectContext) -> Iterator[Evidence]:
    """Lint debt kept as a file: generated "todo"/baseline lists of known violations to pay down."""
    tree = ctx.tree
    for path in tree.named(*LINT_DEBT_FILES):
        tool = LINT_DEBT_FILES[path.rsplit("/", 1)[-1].lower()]
        if EXCLUDE_RX.search(path):
            continue
        text = tree.text(path) or ""
        entries = len([ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")])
        if entries:
            yield ctx.file_evidence("doc.lint_debt", path, line=1, attributes={"tool": tool, "lines": entries},
                                    strength=Strength.STRONG, summary=f"{tool} lint-debt file ({entries} lines)")


def _release_note_debt(ctx: CollectContext) -> Iterator[Evidence]:
    """A release-notes category for debt (`## Tech Debt` fed by a `tech-debt` label): debt is labelled and reported."""
    tree = ctx.tree
    for path in dict.fromkeys(tree.glob(*RELEASE_NOTE_FILES)):
        data = tree.json(path) if path.lower().endswith(".json") else tree.yaml(path)
        if isinstance(data, dict) and isinstance(data.get("changelog"), dict):
            data = data["changelog"]  # GitHub's .github/release.yml
        cats = data.get("categories") if isinstance(data, dict) else None
        for cat in cats if isinstance(cats, list) else []:
            if not isinstance(cat, dict):
                continue
            labels = [str(x) for x in (cat.get("labels") or ([cat["label"]] if cat.get("label") else [])) if x]
            title = str(cat.get("title") or "")
            hit = next((x for x in [title, *labels] if DEBT_WORD_RX.search(x)), None)
            if hit:
                yield ctx.file_evidence("doc.debt_label", path, line=tree.line_of(path, DEBT_WORD_RX) or 1,
                                        attributes={"via": "release-notes", "name": redact(hit.strip("# "), 60),
                                                    "labels": labels[:10], "debt": True},
                                        strength=Strength.STRONG, summary=f"release-notes section for debt: {redact(hit, 60)}")
                break


FILE_WORK_RX = re.compile(r"(?i)gh\s+issue\s+create|gh\s+project\s+item-(add|create)|actions/add-to-project|"
                          r"create-issue-from-file|create-an-issue|issues\.create\(|glab\s+issue\s+create|/issues\b.*-X\s*POST")
UPKEEP_WORK_RX = re.compile(r"(?i)upgrad|outdated|deprecat|\bstale|maintenance|tech[-_ ]?debt|\btoil\b|end[-_ ]?of[-_ ]?life|"
                            r"\beol\b|housekeeping|clean[-_ ]?up|renew|rotat|patch(ing)?\b|version")


def _scheduled_upkeep_filing(ctx: CollectContext) -> Iterator[Evidence]:
    """A scheduled workflow that files upkeep work as issues or board items (a monthly "upgrade X" issue, a weekly
    stale-dependency card): maintenance is tracked on the team's board by a schedule, not left to memory."""
    tree = ctx.tree
    for path in tree.glob(".github/workflows/*.yml", ".github/workflows/*.yaml"):
        text = tree.text(path) or ""
        if not re.search(r"(?m)^\s*schedule\s*:", text):
            continue
        m = FILE_WORK_RX.search(text)
        if not m:
            continue
        data = tree.yaml(path)
        name = str(data.get("name") or path.rsplit("/", 1)[-1]) if isinstance(data, dict) else path.rsplit("/", 1)[-1]
        # what is filed must be upkeep: said by the workflow's name or file name, or by the filed item's title
        titles = " ".join(ln for ln in text.splitlines() if FILE_WORK_RX.search(ln) or re.match(r"\s*title\s*:", ln))
        if not UPKEEP_WORK_RX.search(f"{name} {path.rsplit('/', 1)[-1]} {titles}"):
            continue
        yield ctx.file_evidence("doc.upkeep_filing", path, line=text.count("\n", 0, m.start()) + 1,
                                attributes={"name": redact(name, 80), "files_to": "project" if "project" in m.group(0).lower() else "issues"},
                                strength=Strength.STRONG, summary=f"scheduled workflow {redact(name, 60)} files upkeep work")


def _debt_markers(ctx: CollectContext) -> Iterator[Evidence]:
    """TODO/FIXME/HACK comments in product code and configuration (tests, samples, vendored and generated code left
    out). Bounded: at most MAX_MARKER_FILES files, stops counting at MARKER_STOP markers."""
    tree = ctx.tree
    count, files, first_hit, examples, scanned = 0, 0, None, [], 0
    for path in tree.with_suffix(*MARKER_EXT):
        if count >= MARKER_STOP or scanned >= MAX_MARKER_FILES:
            break
        if EXCLUDE_RX.search(path) or MARKER_EXCLUDE_RX.search(path) or path.startswith(".github/"):
            continue
        try:
            if (tree.root / path).stat().st_size > MAX_MARKER_BYTES:
                continue
        except OSError:
            continue
        text = tree.text(path)
        scanned += 1
        if not text or ("TODO" not in text and "FIXME" not in text and "HACK" not in text):
            continue
        hits = [i for i, line in enumerate(text.splitlines(), start=1) if len(line) < 500 and MARKER_RX.search(line)]
        if hits:
            count += len(hits)
            files += 1
            first_hit = first_hit or (path, hits[0])
            if len(examples) < 5:
                examples.append(f"{path}:{hits[0]}")
    if first_hit:
        capped = count >= MARKER_STOP
        yield ctx.file_evidence("doc.debt_marker", first_hit[0], line=first_hit[1],
                                attributes={"count": count, "files": files, "capped": capped, "examples": examples},
                                strength=Strength.WEAK,
                                summary=f"{'>= ' if capped else ''}{count} TODO/FIXME/HACK marker(s) in {files} file(s)")
