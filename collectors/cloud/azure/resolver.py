"""`azure:SUBSCRIPTION_ID` (several: `azure:ID1,ID2` or several targets) and `azure:` (every subscription
the credential can read) targets: one subject per subscription."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from wafops.collectors.base import ScanSourceError, TargetError, TargetResolver
from wafops.collectors.cloud.azure.collector import OPTION_TYPES
from wafops.scanner.core.model import Subject

GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def _target_error(msg: str) -> Exception:
    return TargetError(msg)


class AzureResolver(TargetResolver):
    scheme = "azure"
    description = "azure:SUBSCRIPTION_ID (or azure: for every readable subscription) — an Azure subscription, Reader role"
    option_types: ClassVar[dict[str, str]] = OPTION_TYPES

    def resolve(self, target: str, options: dict[str, Any], warn: Any) -> list[Subject]:
        spec = target.partition(":")[2].strip().strip("/")
        ids = [s.strip() for s in spec.split(",") if s.strip() and s.strip() not in ("*", "all")]
        bad = [s for s in ids if not GUID.match(s)]
        if bad:
            raise _target_error(f"{target}: {bad[0]!r} is not a subscription id (a GUID); use azure:SUBSCRIPTION_ID or azure:")
        if ids:
            return [self._subject(s, "") for s in dict.fromkeys(i.lower() for i in ids)]
        return self._all(target, options, warn)

    def _subject(self, sub_id: str, name: str) -> Subject:
        meta = {"platform": "azure", "subscription_id": sub_id}
        if name:
            meta["display_name"] = name
        return Subject(id=f"azure:{sub_id}", kind="cloud-account", meta=meta)

    def _all(self, target: str, options: dict[str, Any], warn: Any) -> list[Subject]:
        from wafops.collectors.cloud.azure.client import Arm, ArmError
        from wafops.collectors.cloud.azure.common import API

        try:
            arm = Arm(options)
            subs = list(arm.pages("/subscriptions", API["subscriptions"], call="GET subscriptions"))
        except ArmError as err:
            if err.status == 401 or err.code in ("ClientAuthenticationError", "CredentialUnavailableError"):
                raise _target_error(f"{target}: {err.reason}") from None
            raise ScanSourceError(f"{target}: subscriptions could not be listed: {err.reason}", "azure") from None
        except ImportError as err:
            raise _target_error(f"{target}: the Azure SDK is not installed (pip install 'wafops[azure]'): {err}") from None
        except Exception as err:  # no credential (DefaultAzureCredential found none)
            raise _target_error(f"{target}: no Azure credential: {err}") from None
        out = [self._subject(str(s.get("subscriptionId")).lower(), str(s.get("displayName") or ""))
               for s in subs if s.get("subscriptionId") and str(s.get("state", "Enabled")) in ("Enabled", "PastDue", "Warned")]
        if not out:
            warn(target, "azure", "the credential can read no enabled subscription")
        return sorted(out, key=lambda s: s.id)
