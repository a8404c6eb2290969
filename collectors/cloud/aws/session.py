"""Read-only AWS calls: one boto3 session per scan, adaptive retries, every call recorded and classified.

All I/O of the AWS collector goes through `AwsReader.call` / `AwsReader.pages`, so that
- every API call is known (the call log feeds the least-privilege test and the benchmark);
- a refused write is impossible by construction: an operation whose name starts with a write verb
  raises before any request is made (`ReadOnlyViolation`);
- a failure is classified once (denied, throttled, region not enabled, service absent, not in an
  organisation) and becomes an `AreaError` the service modules turn into *not assessed*.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

WRITE_VERBS = re.compile(
    r"^(Create|Put|Update|Delete|Modify|Start|Stop|Terminate|Attach|Detach|Associate|Disassociate|Tag|Untag|Enable|"
    r"Disable|Register|Deregister|Set|Reset|Restore|Run|Send|Invoke|Execute|Cancel|Accept|Reject|Import|Export|Copy|"
    r"Add|Remove|Replace|Revoke|Authorize|Publish|Subscribe|Unsubscribe|Rotate|Reboot|Purge|Upload|Detect|Apply|"
    r"Increase|Decrease|Retry|Rollback|Continue|Signal|Execute|Opt|Lock|Unlock|Terminate|Batch(?!Get))"
)
READ_VERBS = re.compile(r"^(Describe|List|Get|Head|Lookup|Search|Select|Batch ?Get|BatchGet|Query|Scan)")

DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError",
          "UnauthorizedException", "Forbidden", "403", "AuthorizationErrorException"}
THROTTLED = {"Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded",
             "ThrottledException", "SlowDown", "RequestThrottled", "RequestThrottledException"}
REGION_OFF = {"OptInRequired", "UnrecognizedClientException", "InvalidClientTokenId", "AuthFailure",
              "SubscriptionRequiredException"}
NOT_IN_ORG = {"AWSOrganizationsNotInUseException", "AccessDeniedForDependencyException"}
ABSENT = {"UnknownOperationException", "InvalidAction", "NotImplemented", "UnsupportedOperation",
          "UnsupportedOperationException"}


class ReadOnlyViolation(RuntimeError):
    """A write operation was about to be called: a bug, never sent."""


@dataclass
class AreaError(Exception):
    """A call that could not be answered, classified for the report."""

    call: str  # service:Operation
    region: str
    kind: str  # denied | throttled | region | absent | not_in_org | error
    message: str

    def __str__(self) -> str:
        return f"{self.call} in {self.region}: {self.reason}"

    @property
    def reason(self) -> str:
        return {
            "denied": f"access denied to {self.call} (the scanning role lacks it; see docs/aws-policy.json)",
            "throttled": f"{self.call} throttled after retries",
            "region": f"region {self.region} is not enabled for this account (opted out)",
            "absent": f"{self.call.split(':')[0]} is not available in {self.region}",
            "not_in_org": "the account is not in an AWS Organization, or Organizations is readable only from the "
                          "management account",
            "not_read": self.message,
        }.get(self.kind, f"{self.call} failed: {self.message}")


@dataclass
class CallLog:
    """Every API call made (service:Operation, region), in order; thread-safe."""

    calls: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, call: str, region: str) -> None:
        with self.lock:
            self.calls.append((call, region))

    def count(self) -> int:
        return len(self.calls)


# boto3 service name -> IAM prefix (where they differ)
IAM_PREFIX = {"resourcegroupstaggingapi": "tag", "application-signals": "application-signals",
              "ssm-incidents": "ssm-incidents", "logs": "logs", "xray": "xray", "resource-explorer-2": "resource-explorer-2"}


# API operations whose IAM action has another name
IAM_ACTION = {("s3", "ListBuckets"): "s3:ListAllMyBuckets", ("s3", "ListObjectsV2"): "s3:ListBucket",
              ("s3", "GetBucketEncryption"): "s3:GetEncryptionConfiguration",
              ("s3", "GetPublicAccessBlock"): "s3:GetBucketPublicAccessBlock"}


def iam_action(service: str, operation: str) -> str:
    """The IAM action that permits an API operation (what docs/aws-policy.json grants)."""
    return IAM_ACTION.get((service, operation)) or f"{IAM_PREFIX.get(service, service)}:{operation}"


class AwsReader:
    """boto3 clients per (service, region) with adaptive retries; read-only calls with classification."""

    def __init__(self, profile: str | None = None, *, max_attempts: int = 5, session: Any = None,
                 log: CallLog | None = None) -> None:
        import boto3
        from botocore.config import Config

        self.session = session or boto3.session.Session(profile_name=profile or None)
        self.config = Config(retries={"mode": "adaptive", "max_attempts": max_attempts}, connect_timeout=10,
                             read_timeout=30, max_pool_connections=20, user_agent_extra="wafops-readonly")
        self.log = log or CallLog()
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def client(self, service: str, region: str) -> Any:
        key = (service, region)
        with self._lock:
            c = self._clients.get(key)
            if c is None:
                c = self.session.client(service, region_name=region, config=self.config)
                c.meta.events.register("before-call", self._before_call)
                self._clients[key] = c
            return c

    def _before_call(self, model: Any = None, context: Any = None, **_kw: Any) -> None:
        op = model.name
        service = model.service_model.service_name
        if WRITE_VERBS.match(op) and not READ_VERBS.match(op):
            raise ReadOnlyViolation(f"{service}:{op} is not a read operation; wafops never changes what it scans")
        region = (context or {}).get("client_region") or ""
        self.log.add(iam_action(service, op), region)

    def call(self, service: str, region: str, operation: str, **params: Any) -> dict[str, Any]:
        """One read call; AreaError when it could not be answered."""
        c = self.client(service, region)
        method = getattr(c, _snake(operation))
        try:
            return method(**params)
        except Exception as err:  # classified below
            raise classify(err, iam_action(service, operation), region) from err

    def pages(self, service: str, region: str, operation: str, key: str, *, limit: int = 0,
              **params: Any) -> list[Any]:
        """Every item under `key` over all pages (or the first `limit` items)."""
        c = self.client(service, region)
        out: list[Any] = []
        try:
            if c.can_paginate(_snake(operation)):
                for page in c.get_paginator(_snake(operation)).paginate(**params):
                    out.extend(page.get(key) or [])
                    if limit and len(out) >= limit:
                        return out[:limit]
            else:
                out.extend(getattr(c, _snake(operation))(**params).get(key) or [])
        except Exception as err:
            raise classify(err, iam_action(service, operation), region) from err
        return out


def _snake(op: str) -> str:
    from botocore import xform_name

    return xform_name(op)


def classify(err: Exception, call: str, region: str) -> AreaError:
    if isinstance(err, ReadOnlyViolation):
        raise err
    from botocore.exceptions import (
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
        UnknownEndpointError,
    )

    if isinstance(err, ClientError):
        code = str(err.response.get("Error", {}).get("Code") or "")
        msg = str(err.response.get("Error", {}).get("Message") or "")[:200]
        status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if msg.lstrip().startswith("<") or code.isdigit():  # an HTML error page, not an AWS error document
            msg, code = f"HTTP {status or code}", code if not code.isdigit() else ""
        if code in NOT_IN_ORG or (call.startswith("organizations:") and code in DENIED):
            kind = "not_in_org"
        elif code in DENIED or (status == 403 and code not in REGION_OFF):
            kind = "denied"
        elif code in THROTTLED:
            kind = "throttled"
        elif code in REGION_OFF:
            kind = "region"
        elif code in ABSENT or status == 501:
            kind = "absent"
        else:
            kind = "error"
        return AreaError(call, region, kind, f"{code}: {msg}" if code else msg)
    if isinstance(err, EndpointConnectionError | UnknownEndpointError):
        return AreaError(call, region, "absent", str(err)[:200])
    if isinstance(err, NoCredentialsError | NoRegionError):
        return AreaError(call, region, "denied", str(err)[:200])
    return AreaError(call, region, "error", f"{type(err).__name__}: {str(err)[:200]}")
