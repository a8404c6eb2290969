"""Templated YAML (Helm/Go, Jinja, ERB) read as plain YAML: what a reviewer reads in a chart template or a
`*.yaml.j2` manifest before it is rendered."""

from __future__ import annotations

import re
from typing import Any

import yaml
from wafops.scanner.core.files import (
    TreeYamlLoader as YamlLoader,  # the tree's loader: CloudFormation tags, YAML 1.2 booleans
)

TEMPLATE_MARK_RX = re.compile(r"\{\{|\{%|<%")
_TPL_COMMENT_RX = re.compile(r"\{\{-?\s*/\*.*?\*/\s*-?\}\}|\{#.*?#\}|<%#.*?%>", re.S)
# a line that is only a directive (`{{- if .Values.x }}`, `{% for %}`, `<% if prod %>`, `{{ include ... | nindent 4 }}`)
_TPL_LINE_RX = re.compile(r"(?m)^[ \t]*(?:-[ \t]*)?(?:\{\{-?[^\n]*?-?\}\}|\{%-?[^\n]*?-?%\}|<%[-=]?[^\n]*?-?%>)[ \t]*$\n?")
_TPL_INLINE_RX = re.compile(r"\{\{-?.*?-?\}\}|\{%-?.*?-?%\}|<%[-=]?.*?-?%>")


def detemplate(text: str) -> str:
    """A Helm/Go, Jinja or ERB template made plain YAML: comments and directive-only lines dropped, inline
    expressions stubbed with `TEMPLATED`. Both branches of an if/else stay (later keys win), which keeps
    the literal fields a reviewer reads (kind, syncPolicy.automated.selfHeal, probes) and nothing else."""
    text = _TPL_COMMENT_RX.sub("", text)
    text = _TPL_LINE_RX.sub("", text)
    return _TPL_INLINE_RX.sub("TEMPLATED", text)


def tolerant_yaml_docs(text: str) -> list[Any]:
    """YAML documents of a possibly templated text, each document parsed on its own so that one the
    stubbing cannot repair does not hide the others."""
    plain = detemplate(text) if TEMPLATE_MARK_RX.search(text) else text
    out = []
    for chunk in re.split(r"(?m)^---[^\n]*$", plain):
        if not chunk.strip():
            continue
        try:
            out.extend(d for d in yaml.load_all(chunk, Loader=YamlLoader) if d is not None)
        except yaml.YAMLError:
            continue
    return out


def tolerant_yaml(text: str) -> Any:
    """The first YAML document of a text that may hold template directives (None when it cannot be read)."""
    docs = tolerant_yaml_docs(text)
    return docs[0] if docs else None
