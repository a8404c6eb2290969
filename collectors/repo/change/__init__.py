"""Change management collector: review rules, templates, freezes and routing kept in the repository.

Why these files: a reviewer judging change management looks at who must review (CODEOWNERS,
branch protection managed as code), what a change must declare (PR/MR templates with risk and
rollback fields), when changes may not ship (freeze mechanisms), and how risky changes get extra
eyes (labeler, policy-bot, CODEOWNERS sections with approval counts). Branch protection and
environments declared in Terraform or in `.github/settings.yml` (probot settings) are strong
evidence: they are applied by tooling, but live settings can drift from code.

One module per source format (codeowners, templates, documents, freeze, bots, workflows, labels,
terraform, settings); `collector` runs their detectors.
"""

from wafops.collectors.repo.change.codeowners import _covered, parse_codeowners
from wafops.collectors.repo.change.collector import ChangeCollector
from wafops.collectors.repo.change.templates import template_fields

__all__ = ["ChangeCollector", "_covered", "parse_codeowners", "template_fields"]
