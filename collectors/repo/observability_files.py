"""File-finding helpers the observability and alerting collectors share.

Why a module of its own: both collectors read Terraform, CloudFormation and (Helm-templated) YAML
for different resource types. Reading through the same helpers keeps the selection rules (prefilter
by text, parse only candidates, skip templated YAML quietly) in one place, and the tree's content
cache makes the second reader free.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import yaml
from wafops.scanner.core.files import RepoTree, TreeYamlLoader
from wafops.scanner.core.hcl import block_headers, blocks
from wafops.scanner.core.hcl_blocks import Wanted
from wafops.scanner.core.vocabulary import DOC_DIRS, is_sample_path

YAML_SUFFIXES = (".yml", ".yaml")
# YAML kept as a template that configuration management or Terraform renders (Chef/Puppet ERB, Ansible/Salt
# Jinja, Go and Terraform `templatefile` templates): `alert_rules.yml.erb`, `prometheus.yml.j2`, `app.rules.tmpl`
TEMPLATE_EXTS = (".erb", ".j2", ".jinja", ".jinja2", ".tmpl", ".tpl", ".gotmpl")
TEMPLATED_YAML_SUFFIXES = tuple(f"{base}{ext}" for base in (".yml", ".yaml", ".rules") for ext in TEMPLATE_EXTS)

def is_product_path(path: str) -> bool:
    return not is_sample_path(path, DOC_DIRS)


@dataclass(frozen=True)
class TfResource:
    path: str
    type: str
    name: str
    body: dict[str, Any]
    line: int
    text: str  # the raw text of the block (for regexes over jsonencode()/heredoc bodies)


def tf_candidates(tree: RepoTree, wanted: set[str]) -> list[tuple[str, str, list[tuple[str, str, str, int]]]]:
    """(path, text, block headers) of the product .tf files declaring a resource of a wanted type: the files
    tf_resources parses (their wanted blocks). The header pass is remembered per text and every .tf file gets it anyway
    (IaC), so it is asked directly: testing each wanted type as a substring first cost more."""
    candidates = []
    for path in tree.with_suffix(".tf"):
        if not is_product_path(path):
            continue
        text = tree.text(path)
        if not text or "resource" not in text:
            continue
        headers = block_headers(text)
        if any(h[0] == "resource" and h[1] in wanted for h in headers):
            candidates.append((path, text, headers))
    return candidates


def tf_asks(tree: RepoTree, types: Iterable[str]) -> list[tuple[str, Wanted]]:
    """The files tf_resources(tree, types) will parse, and the blocks it reads (for a collector's `hcl_blocks`)."""
    wanted = Wanted(resource_types=frozenset(types))
    return [(path, wanted) for path, _t, _h in tf_candidates(tree, set(types))]


def tf_resources(tree: RepoTree, types: Iterable[str]) -> list[TfResource]:
    """Terraform resources of the given types. Only files declaring a wanted type are parsed, and of them
    only the resources of the wanted types."""
    wanted = set(types)
    blocks_wanted = Wanted(resource_types=frozenset(wanted))
    out: list[TfResource] = []
    candidates = tf_candidates(tree, wanted)
    tree.prefetch_hcl((path for path, _t, _h in candidates), blocks_wanted)
    for path, text, headers in candidates:
        lines = text.splitlines()
        starts = sorted(h[3] for h in headers)
        where = {(h[1], h[2]): h[3] for h in headers if h[0] == "resource"}
        parsed = tree.hcl(path, blocks_wanted)
        if parsed is None:
            continue
        for b in blocks(parsed):
            if b.type != "resource" or len(b.labels) < 2 or b.labels[0] not in wanted:
                continue
            line = where.get((b.labels[0], b.labels[1]), 1)
            nxt = next((s for s in starts if s > line), len(lines) + 1)
            out.append(TfResource(path, b.labels[0], b.labels[1], b.body, line, "\n".join(lines[line - 1: nxt - 1])))
    return out


@dataclass(frozen=True)
class CfnResource:
    path: str
    type: str
    name: str
    props: dict[str, Any]
    line: int | None


def cfn_resources(tree: RepoTree, types: Iterable[str]) -> list[CfnResource]:
    """CloudFormation/SAM/Serverless resources (`Resources: {X: {Type: AWS::...}}`) of the given types."""
    wanted = set(types)
    out: list[CfnResource] = []
    for path in tree.with_suffix(".yml", ".yaml", ".json", ".template"):
        if not is_product_path(path):
            continue
        text = tree.text(path)
        if not text or "AWS::" not in text or not any(t in text for t in wanted):
            continue
        docs = tree.json(path) if path.endswith(".json") else load_yaml_docs(tree, path, text)
        for doc in docs if isinstance(docs, list) else [docs]:
            if not isinstance(doc, dict):
                continue
            res = doc.get("Resources")
            if not isinstance(res, dict) and isinstance(doc.get("resources"), dict):  # serverless.yml
                res = doc["resources"].get("Resources")
            if not isinstance(res, dict):
                continue
            for name, r in res.items():
                if isinstance(r, dict) and r.get("Type") in wanted:
                    props = r.get("Properties") if isinstance(r.get("Properties"), dict) else {}
                    out.append(CfnResource(path, r["Type"], str(name), props, tree.line_of(path, f"{name}:") or tree.line_of(path, f'"{name}"')))
    return out


_TEMPLATE_LINE = re.compile(r"^\s*\{\{-?.*?-?\}\}\s*$")
_TEMPLATE_INLINE = re.compile(r"\{\{-?.*?-?\}\}")
# a line that is only control flow: ERB `<% ... %>`, Jinja `{% ... %}`, Terraform template `%{ ... }`
_DIRECTIVE_LINE = re.compile(r"^\s*(<%[^=].*?%>|\{%.*?%\}|%\{.*?\}|\{\{-?\s*(if|else|end|range|with|define|template|/\*).*?\}\})\s*$")
# inline directives (control flow dropped, output expressions stubbed) - Prometheus' own `{{ $value }}` stays
_DIRECTIVE_INLINE = re.compile(r"<%[^=].*?%>|\{%.*?%\}|%\{.*?\}")
_OUTPUT_INLINE = re.compile(r"<%=.*?%>|\$\{[^}]*\}")


def is_template_file(path: str) -> bool:
    """A YAML/rules file kept as a template of configuration management or Terraform (by its double suffix)."""
    return path.lower().endswith(TEMPLATED_YAML_SUFFIXES)


def looks_templated(text: str) -> bool:
    """Template directives on lines of their own (`{{ if ... }}`, `<% end %>`, `%{ for ... }`): not YAML until
    rendered. Inline `{{ $value }}` in a quoted Prometheus annotation does not count."""
    return any(_DIRECTIVE_LINE.match(line) or _TEMPLATE_LINE.match(line) for line in text.splitlines())


def clean_template(text: str) -> str:
    """The YAML a template most likely renders to: directive-only lines blanked, control flow dropped, output
    expressions (`<%= x %>`, `${x}`, Go `{{ .X }}` outside quotes) stubbed with TEMPLATED."""
    out = []
    for line in text.splitlines():
        if _DIRECTIVE_LINE.match(line) or _TEMPLATE_LINE.match(line):
            out.append("")
            continue
        line = _OUTPUT_INLINE.sub("TEMPLATED", _DIRECTIVE_INLINE.sub("", line))
        out.append(line)
    return "\n".join(out)


def is_templated(path: str, text: str, tree: RepoTree | None = None) -> bool:
    """Helm/Go-templated YAML: these files are not YAML until rendered, so a parse error is expected.

    Chart templates live under templates/; with the tree, a templated file anywhere inside a chart (a
    Chart.yaml in a parent directory) counts too: charts keep rule fragments in other folders and render
    them with `tpl (.Files.Get ...)` (CloudNativePG's `charts/cluster/prometheus_rules/*.yaml`)."""
    if is_template_file(path):
        return True
    if "{{" not in text:
        return False
    if "/templates/" in f"/{path}":
        return True
    return tree is not None and _in_chart(tree, path)


_CHART_DIRS: dict[int, tuple[Any, frozenset[str]]] = {}


def _in_chart(tree: RepoTree, path: str) -> bool:
    cached = _CHART_DIRS.get(id(tree))
    if cached is None or cached[0] is not tree:
        dirs = frozenset(f.rsplit("/", 1)[0] if "/" in f else "." for f in tree.named("Chart.yaml"))
        cached = (tree, dirs)
        _CHART_DIRS.clear()  # one tree at a time: keep the cache from growing across scans
        _CHART_DIRS[id(tree)] = cached
    dirs = cached[1]
    if not dirs:
        return False
    d = path
    while "/" in d:
        d = d.rsplit("/", 1)[0]
        if d in dirs:
            return True
    return "." in dirs


def load_yaml_docs(tree: RepoTree, path: str, text: str | None = None) -> list[Any]:
    """YAML documents of a file. Templated files are parsed after blanking template directives, without
    warnings: a chart template that does not parse even so is expected, not an error."""
    text = tree.text(path) if text is None else text
    if text is None:
        return []
    if not is_templated(path, text, tree):
        if not looks_templated(text):
            return tree.yaml_docs(path)
        # Go-templated manifests outside a chart (a cluster repository's manifests rendered by its own tool):
        # a plain parse first, then the template stubbed out
        try:
            return _load_all(text)
        except Exception:
            pass
    cleaned = clean_template(text) if is_template_file(path) or "{{" not in text else _stub_go_template(text)
    try:
        return _load_all(cleaned)
    except Exception:
        if "{{" in cleaned and (is_template_file(path) or looks_templated(text)):
            # Go-templated as well: stub the remaining expressions too
            try:
                return _load_all(_stub_go_template(cleaned))
            except Exception:
                return []
        return []


def _stub_go_template(text: str) -> str:
    """Go template lines of their own blanked, inline `{{ ... }}` stubbed with TEMPLATED."""
    return "\n".join("" if _TEMPLATE_LINE.match(line) else _TEMPLATE_INLINE.sub("TEMPLATED", line)
                     for line in text.splitlines())


def _load_all(text: str) -> list[Any]:
    """Every non-empty document, with the tree's loader (YAML-1.2-ish booleans, unknown tags kept); raises on
    a parse error."""
    return [d for d in yaml.load_all(text, Loader=TreeYamlLoader) if d is not None]


def walk(value: Any, depth: int = 0) -> Iterator[Any]:
    """Every nested value of a parsed document (bounded depth)."""
    yield value
    if depth > 12:
        return
    if isinstance(value, dict):
        for v in value.values():
            yield from walk(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v, depth + 1)


def s(value: Any) -> str:
    """A scalar or structure as text (HCL interpolations stay as written)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str | int | float):
        return str(value[0])
    return str(value)


def first(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else None
    return value


def file_size(tree: RepoTree, path: str) -> int:
    """The file's size in bytes (-1 when it cannot be read). The full path is joined as a string, not as a
    pathlib.Path: the same file for the tree's relative file paths, without building a Path object per call
    (the sweeps ask for thousands of files)."""
    try:
        return os.stat(os.path.join(tree.root, path)).st_size
    except OSError:
        return -1
