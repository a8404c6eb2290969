"""An alert rule as evidence, wherever it was read (D-ALERT, D-SYMPTOM): a Prometheus file, Terraform,
CloudFormation or a cloud API all become the same `alert.rule` attributes through `rule_attributes`.

Pure vocabulary and classification, shared by the repository, AWS and Azure collectors."""

from __future__ import annotations

import re
from typing import Any

from wafops.scanner.core.vocabulary import redact

SYMPTOM = re.compile(
    r"(?i)(5xx|code=~\\?[\"']5|status(_code)?=~\\?[\"']5|code=~\\?[\"']\^?5|HTTPCode_(Target|ELB)_5XX|5XXError|Http5xx|"
    r"\bErrors\b|error[ _.-]?ratio|errors?_total|error[ _.-]?rate|errorrate|error[ _.-]?percent|failed_requests|requests/failed|"
    r"RequestsFailed|\bTransactionError\b|\bhttp\.status_code:5|"
    r"Latency|TargetResponseTime|Response[ _.-]?Time|_duration_seconds|_latency|histogram_quantile|probe_success|SuccessPercent|"
    r"percentile\(\s*duration\b|\btrace\.[\w.]+\.duration\b|"
    r"HealthCheckStatus|availabilityResults|\bavailability\b|apdex|\bslo\b|slo:|burn|http_server_requests|grpc_server_handled)"
)
CAUSE = re.compile(
    r"(?i)(CPUUtilization|Percentage CPU|cpu|memory|disk|FreeStorageSpace|node_load|filesystem|inode|swap|\boom|"
    r"restarts?_total|CrashLoop|container_memory|DatabaseConnections|ReplicaLag|queue_?depth|ApproximateNumberOfMessages|"
    r"connections|file_?descriptors|fds)"
)
# alert names that say the whole service is unavailable to its users (used only when the expression says
# neither symptom nor cause: `CNPGClusterOffline` on `count(up) == 0`); a single instance down stays unknown
NAME_AVAILABILITY = re.compile(r"(?i)(offline|unavailable|outage|(service|site|endpoint|api|cluster|website)_?down\b)")
PAGING_SEVERITY = re.compile(r"(?i)^(critical|page|pager|p1|p0|s1|sev[-_ ]?[01]|severity[-_:]*1|emergency|urgent|fatal)$")
# routing labels teams put on the alerts that page (GitLab's `pager: pagerduty`, `page: "true"`, `oncall: ...`)
PAGING_LABEL_KEYS = re.compile(r"(?i)^(pager|page|paging|pagerduty|opsgenie|oncall|on_call|notify_oncall|escalate)$")
PAGING_LABEL_VALUE = re.compile(r"(?i)^(pagerduty|opsgenie|victorops|true|yes|page|1)$")
# the team's own classification of an alert (GitLab `alert_type`, others `signal`/`alert_kind`)
SIGNAL_LABEL_KEYS = ("alert_type", "signal", "alert_kind", "alert_signal")
PAGING_TARGET = re.compile(r"(?i)(pagerduty|opsgenie|victorops|splunk[-_]?oncall|pager|on[-_]?call|incident|\bpage\b|critical|sev1|\bp1\b)")
WINDOW = re.compile(r"\[(\d+[smhdw])\]")
NAMED_WINDOW = re.compile(r"(?i)(?:ratio_rate|burnrate|burn_rate|error_rate|errorrate|:rate|:ratio_|:rate_|_ratio_|_rate_)(\d+[smhdw])\b")
BURN_NAME = re.compile(r"(?i)slo:sli_error:ratio_rate|pyrra_|burnrate|burn_rate|error_budget_burn|errorbudgetburn")
BURN_FACTOR = re.compile(r"\(\s*1\s*-\s*(0?\.\d+|\d+(\.\d+)?\s*/\s*100)\s*\)|(14\.4|13\.44|6|3)\s*\*\s*\(?\s*1\s*-|\(1\s*-\s*[\w:.{}\"]+\)")
# factor x error budget with (1 - objective) already written out (`14.4 * 0.0005`): only with >= 2 windows,
# because `3 * 0.05` alone is an ordinary threshold
BURN_FACTOR_BUDGET = re.compile(r"(?<![\w.])(14\.40*|13\.440*|6(?:\.0+)?|3(?:\.0+)?)\s*\*\s*0?\.0\d+")
RUNBOOK_KEYS = ("runbook_url", "runbook", "runbook_link", "runbook-url", "runbookUrl", "playbook", "playbook_url")
REPO_URL = re.compile(r"^https?://(?:www\.)?([^/]+)/(.+?)/(?:-/)?(?:blob|tree|raw|edit)/[^/]+/([^?#]+)")

RECEIVER_TYPES = {
    "pagerduty_configs": "pagerduty", "pagerdutyConfigs": "pagerduty", "opsgenie_configs": "opsgenie",
    "opsgenieConfigs": "opsgenie", "victorops_configs": "victorops", "victoropsConfigs": "victorops",
    "slack_configs": "slack", "slackConfigs": "slack", "email_configs": "email", "emailConfigs": "email",
    "webhook_configs": "webhook", "webhookConfigs": "webhook", "msteams_configs": "teams", "msteamsv2_configs": "teams",
    "msteamsConfigs": "teams", "sns_configs": "sns", "snsConfigs": "sns", "telegram_configs": "webhook",
    "discord_configs": "webhook", "pushover_configs": "webhook", "wechat_configs": "webhook", "webex_configs": "webhook",
}
PAGING_RECEIVERS = {"pagerduty", "opsgenie", "victorops", "incident-manager"}


def rule_attributes(*, origin: str, name: str, expr: str, severity: str = "", labels: dict[str, Any] | None = None,
                    notifies: bool, paging_hint: str = "", extra_signal_text: str = "", force_burn: bool = False,
                    extra_windows: list[str] | None = None, target_unknown: bool = False,
                    runbook: tuple[str | None, str | None, bool | None] = (None, None, None)) -> dict[str, Any]:
    """The `alert.rule` attributes of one rule (D-ALERT, D-SYMPTOM), wherever it was read: a file or a cloud API.
    `runbook` is (link, repository path it resolves to, whether that path exists)."""
    labels = labels or {}
    signal = declared_signal(labels) or classify(expr + " " + extra_signal_text, name)
    windows = sorted(set(WINDOW.findall(expr)) | set(NAMED_WINDOW.findall(expr)) | set(extra_windows or []), key=window_seconds)
    burn = force_burn or bool(BURN_NAME.search(expr) or (BURN_FACTOR.search(expr) and len(windows) >= 1)
                              or (BURN_FACTOR_BUDGET.search(expr) and len(windows) >= 2))
    paging = bool(PAGING_SEVERITY.match(severity.strip())) if severity else False
    paging = paging or bool(paging_hint and PAGING_TARGET.search(paging_hint)) or paging_label(labels)
    link, local, exists = runbook
    return {
        "origin": origin, "name": name[:200], "expr": redact(expr, 300), "signal": signal, "paging": paging,
        "severity": severity[:40] or None, "runbook": link, "runbook_local": local, "runbook_exists": exists,
        "burn_rate": burn, "windows": windows, "notifies": notifies,
        "pager_target": True if paging_hint and PAGING_TARGET.search(paging_hint) else (None if target_unknown else False),
    }


def classify(expr: str, name: str = "") -> str:
    """D-SYMPTOM: symptom (errors, latency, availability), cause (resources), or unknown.

    The expression decides first (a CPU expression in an alert called "ServiceDegraded" is a cause);
    the name only helps when the expression says nothing either way."""
    if SYMPTOM.search(expr):
        if CAUSE.search(expr) and not re.search(r"(?i)5xx|error|latency|duration|probe_success|availability|slo|burn", expr):
            return "cause"
        return "symptom"
    if CAUSE.search(expr):
        return "cause"
    if SYMPTOM.search(name) or NAME_AVAILABILITY.search(name):
        return "symptom"
    if CAUSE.search(name):
        return "cause"
    return "unknown"


def declared_signal(labels: dict[str, Any]) -> str | None:
    """symptom/cause when the team labelled the alert itself (it knows better than a regex over PromQL)."""
    for k in SIGNAL_LABEL_KEYS:
        v = str(labels.get(k) or "").strip().lower()
        if v in ("symptom", "symptoms", "symptom-based", "user-facing"):
            return "symptom"
        if v in ("cause", "causes", "cause-based"):
            return "cause"
    return None


def paging_label(labels: dict[str, Any]) -> bool:
    """A routing label that sends the alert to the pager (`pager: pagerduty`, `page: "true"`)."""
    for k, v in labels.items():
        if PAGING_LABEL_KEYS.match(str(k)) and PAGING_LABEL_VALUE.match(str(v).strip()):
            return True
    return False


def window_seconds(w: str) -> int:
    n, u = int(w[:-1]), w[-1]
    return n * {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[u]
