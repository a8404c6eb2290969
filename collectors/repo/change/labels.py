"""Labels as code: label files, probot settings, Terraform, and the labels templates apply."""

from __future__ import annotations

from collections.abc import Iterator

from wafops.collectors.repo.change.common import ChangeScan, label_names
from wafops.collectors.repo.change.settings import settings_labels
from wafops.collectors.repo.change.templates import template_labels
from wafops.collectors.repo.change.terraform import tf_labels
from wafops.scanner.core.model import Evidence

LABEL_PATHS = (".github/labels.yml", ".github/labels.yaml", ".github/labels.json", ".gitlab/labels.yml")


def labels(scan: ChangeScan) -> Iterator[Evidence]:
    yield from label_files(scan)
    yield from settings_labels(scan)
    yield from tf_labels(scan)
    yield from template_labels(scan)


def label_files(scan: ChangeScan) -> Iterator[Evidence]:
    tree = scan.tree
    for path in LABEL_PATHS:
        if not tree.exists(path):
            continue
        data = tree.json(path) if path.endswith(".json") else tree.yaml(path)
        names = label_names(data)
        if names:
            yield scan.ctx.file_evidence("change.labels", path, line=1, attributes={"labels": names[:300]},
                                         summary=f"{len(names)} label(s) as code")
