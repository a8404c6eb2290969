"""One AWS account scan: the reader, the regions, evidence builders and the record of what could not be read.

Service modules (observability, alerting, deploy, iac_drift, runbooks, change) each export
`collect(run)`. They call `run.each_region(area, fn)` / `run.once(area, fn)`; a call that fails is
classified (see session.py) and recorded against its area, and the area's criteria become *not
assessed* through `cloud.unreadable` evidence naming the probes whose absence it hides.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from threading import Lock
from typing import Any
from urllib.parse import quote

from wafops.collectors.base import CollectContext
from wafops.collectors.cloud.aws.session import AreaError, AwsReader
from wafops.scanner.core.model import Evidence, SourceState, Strength


@dataclass(frozen=True)
class Area:
    """A part of the account read together, and the probes that would read its absence as *not met*."""

    name: str
    what: str
    probes: tuple[str, ...]
    controls: tuple[str, ...]


@dataclass
class AwsRun:
    reader: AwsReader
    ctx: CollectContext
    account: str
    regions: list[str]
    options: dict[str, Any]
    partition: str = "aws"
    out: list[Evidence] = field(default_factory=list)
    errors: dict[str, list[AreaError]] = field(default_factory=dict)
    areas: dict[str, Area] = field(default_factory=dict)
    lock: Lock = field(default_factory=Lock)
    shared: dict[str, Any] = field(default_factory=dict)  # facts one area hands another (SNS receivers per topic)

    @property
    def home(self) -> str:
        """The region global services (S3 bucket list, Organizations, IAM) are called in."""
        return "us-east-1" if "us-east-1" in self.regions or not self.regions else self.regions[0]

    # ---- calls ---------------------------------------------------------------------------------------
    def call(self, service: str, region: str, operation: str, **params: Any) -> dict[str, Any]:
        return self.reader.call(service, region, operation, **params)

    def pages(self, service: str, region: str, operation: str, key: str, **params: Any) -> list[Any]:
        return self.reader.pages(service, region, operation, key, **params)

    def guard(self, area: Area, fn: Callable[[], None]) -> bool:
        """Run one read step; a failed call is recorded against the area. True when it completed."""
        self.areas.setdefault(area.name, area)
        try:
            fn()
            return True
        except AreaError as err:
            with self.lock:
                self.errors.setdefault(area.name, []).append(err)
            return False

    def once(self, area: Area, fn: Callable[[str], None]) -> None:
        self.guard(area, lambda: fn(self.home))

    def each_region(self, area: Area, fn: Callable[[str], None]) -> None:
        """fn(region) for every region, in parallel; each region's failure is recorded on its own."""
        if len(self.regions) <= 1:
            for r in self.regions:
                self.guard(area, lambda r=r: fn(r))
            return
        with ThreadPoolExecutor(max_workers=min(8, len(self.regions))) as pool:
            list(pool.map(lambda r: self.guard(area, lambda: fn(r)), self.regions))

    # ---- evidence --------------------------------------------------------------------------------------
    def ev(self, kind: str, arn: str, attributes: dict[str, Any], summary: str,
           strength: Strength = Strength.DIRECT) -> Evidence:
        url = "https://console.aws.amazon.com/go/view?arn=" + quote(arn, safe=":/")
        item = self.ctx.api_evidence(kind, "aws", url, attributes=attributes, strength=strength, summary=summary,
                                     resource=arn)
        with self.lock:
            self.out.append(item)
        return item

    def arn(self, service: str, region: str, resource: str) -> str:
        return f"arn:{self.partition}:{service}:{region}:{self.account}:{resource}"

    # ---- what could not be read ---------------------------------------------------------------------------
    def finish(self) -> None:
        """Source status and `cloud.unreadable` items for every area with failed calls."""
        worst = SourceState.OK
        for name, errs in sorted(self.errors.items()):
            area = self.areas[name]
            kinds = sorted({e.kind for e in errs})
            reasons = sorted({e.reason for e in errs})
            regions = sorted({e.region for e in errs if e.region})
            reason = f"{area.what} not read: {'; '.join(reasons[:3])}" + (f" and {len(reasons) - 3} more" if len(reasons) > 3 else "")
            self.ctx.warn("aws", reason)
            state = SourceState.RATE_LIMITED if kinds == ["throttled"] else SourceState.PARTIAL
            if state.severity > worst.severity:
                worst = state
            self.ctx.source_status("aws", state, reason)
            item = self.ctx.api_evidence("cloud.unreadable", "aws", f"https://console.aws.amazon.com/?account={self.account}",
                                         attributes={"what": area.name, "calls": sorted({e.call for e in errs})[:10],
                                                     "kinds": kinds, "regions": regions, "reason": reason,
                                                     "probes": list(area.probes), "controls": list(area.controls)},
                                         strength=Strength.WEAK, summary=reason)
            self.out.append(item)
        read = [a for a in self.areas if a not in self.errors]
        if self.areas and not read and all(e.kind == "denied" for es in self.errors.values() for e in es):
            self.ctx.source_status("aws", SourceState.DENIED, "every AWS call was denied: the scanning role lacks the "
                                   "read permissions of docs/aws-policy.json")
