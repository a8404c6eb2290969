"""Report formats, all rendered from the JSON result (scanner/reports/json_report.py)."""
# Short control names for narrow views (the matrix header, the Markdown table); full titles elsewhere.
SHORT_NAMES = {
    "WAF-OPS-010": "CI/CD", "WAF-OPS-020": "IaC", "WAF-OPS-030": "Observability", "WAF-OPS-040": "Alerting",
    "WAF-OPS-050": "Change", "WAF-OPS-060": "Runbooks", "WAF-OPS-070": "Postmortems", "WAF-OPS-080": "Safe deploy",
    "WAF-OPS-090": "Drift", "WAF-OPS-100": "Ops debt",
}


def short_name(control_id: str) -> str:
    return SHORT_NAMES.get(control_id, control_id.replace("WAF-OPS-", ""))
