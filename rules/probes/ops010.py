"""Probes for WAF-OPS-010 (CI/CD pipeline)."""

from rules.probes import EvidenceSet, Finding, probe, verdict


@probe("ci_pipeline_defined", text="A pipeline file (or a pipeline declared in IaC) defines at least one job", sources=["repo"])
def ci_pipeline_defined(ev: EvidenceSet) -> Finding:
    pipes = [e for e in ev.of("ci.pipeline") if (e.get("jobs") or 0) >= 1]
    return verdict(pipes, f"{len(pipes)} pipeline(s) with jobs", "no pipeline definition found in the repository", ev)
