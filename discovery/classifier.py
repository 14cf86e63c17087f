"""From sysObjectID and sysDescr to vendor, device type and template; and the SNMP probe.

``classify`` is pure and never raises: anything it does not recognise is "unknown".
``probe_all`` asks every live host for sysDescr, sysObjectID and sysName, trying each
credential in order until one answers, with bounded concurrency and short timeouts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from monitoring.choices import DeviceType
from monitoring.snmp import SnmpError, SnmpSession, SnmpTarget, Value

from .rules import DESCR_RULES, ENTERPRISE_PREFIX, ENTERPRISES, OBJECT_ID_RULES, Rule

__all__ = [
    "Classification",
    "CredentialSpec",
    "SnmpAnswer",
    "classify",
    "probe",
    "probe_all",
    "target_for",
]

SYS_DESCR = "1.3.6.1.2.1.1.1.0"
SYS_OBJECT_ID = "1.3.6.1.2.1.1.2.0"
SYS_NAME = "1.3.6.1.2.1.1.5.0"
PROBE_TIMEOUT_S = 1.0  # per request; discovery prefers missing a slow agent to stalling
PROBE_RETRIES = 0
PROBE_CONCURRENCY = 64  # hosts probed at once


@dataclass(frozen=True)
class Classification:
    vendor: str = ""
    device_type: str = DeviceType.UNKNOWN
    template: str = ""
    rules: tuple[str, ...] = ()  # names of the rules that decided, for tests and the admin


def _enterprise(sys_object_id: str) -> int | None:
    if not sys_object_id.startswith(ENTERPRISE_PREFIX):
        return None
    head = sys_object_id[len(ENTERPRISE_PREFIX) :].split(".", 1)[0]
    return int(head) if head.isdigit() else None


def _object_id_rule(sys_object_id: str) -> Rule | None:
    matches = [
        r
        for r in OBJECT_ID_RULES
        if sys_object_id == r.prefix or sys_object_id.startswith(r.prefix + ".")
    ]
    return max(matches, key=lambda r: len(r.prefix), default=None)


def _descr_rule(sys_descr: str) -> Rule | None:
    return next((r for r in DESCR_RULES if r.pattern.search(sys_descr)), None)


def classify(sys_object_id: str | None, sys_descr: str | None) -> Classification:
    oid = (sys_object_id or "").strip().lstrip(".")
    descr = sys_descr or ""
    product = _object_id_rule(oid)
    if product is not None:
        return Classification(
            product.vendor, product.device_type, product.template, (product.name,)
        )
    number = _enterprise(oid)
    enterprise = ENTERPRISES.get(number) if number is not None else None
    by_descr = _descr_rule(descr)
    decided = [r for r in (enterprise, by_descr) if r is not None]
    if not decided:
        return Classification()
    vendor = next((r.vendor for r in decided if r.vendor), "")
    device_type = next((r.device_type for r in decided if r.device_type), DeviceType.UNKNOWN)
    template = next((r.template for r in decided if r.template), "")
    return Classification(vendor, device_type, template, tuple(r.name for r in decided))


# --- SNMP probe ------------------------------------------------------------------------


@dataclass(frozen=True)
class CredentialSpec:
    """A credential as the probe needs it: its id and the fields of an SnmpTarget."""

    id: int
    options: dict  # SnmpTarget keyword arguments except address (secrets: never logged)

    def target(self, address: str, timeout_s: float) -> SnmpTarget:
        return SnmpTarget(address, timeout_s=timeout_s, retries=PROBE_RETRIES, **self.options)


def target_for(credential) -> CredentialSpec:
    """CredentialSpec from a monitoring SNMPCredential (decrypted fields)."""
    c = credential
    options = {"port": c.port, "version": c.version}
    if c.version == "v3":
        options |= {
            "username": c.username,
            "security_level": c.security_level,
            "auth_protocol": c.auth_protocol or None,
            "auth_key": c.auth_key,
            "priv_protocol": c.priv_protocol or None,
            "priv_key": c.priv_key,
        }
    else:
        options["community"] = c.community
    return CredentialSpec(c.pk, options)


@dataclass(frozen=True)
class SnmpAnswer:
    address: str
    credential_id: int
    sys_name: str
    sys_descr: str
    sys_object_id: str


def _text(value: Value) -> str:
    if isinstance(value, bytes):
        return value.rstrip(b"\0").decode("utf-8", errors="replace").strip()
    return "" if value is None else str(value).strip()


async def probe(
    address: str, credentials: Sequence[CredentialSpec], timeout_s: float = PROBE_TIMEOUT_S
) -> SnmpAnswer | None:
    """The first credential that gets an answer wins; None when none does."""
    for spec in credentials:
        try:
            target = spec.target(address, timeout_s)
            async with SnmpSession(target, max_in_flight=1) as session:
                values = await session.get([SYS_DESCR, SYS_OBJECT_ID, SYS_NAME])
        except (SnmpError, OSError):
            continue
        if not values:
            continue
        return SnmpAnswer(
            address,
            spec.id,
            _text(values.get(SYS_NAME)),
            _text(values.get(SYS_DESCR)),
            _text(values.get(SYS_OBJECT_ID)).lstrip("."),
        )
    return None


async def probe_all(
    addresses: Iterable[str],
    credentials: Sequence[CredentialSpec],
    *,
    concurrency: int = PROBE_CONCURRENCY,
    timeout_s: float = PROBE_TIMEOUT_S,
    on_done: Callable[[str, SnmpAnswer | None], None] | None = None,
) -> dict[str, SnmpAnswer]:
    """Probe every address, at most ``concurrency`` at once; answers keyed by address.

    Cancel by cancelling the calling task: pending probes are cancelled with it.
    """
    limit = asyncio.Semaphore(max(1, concurrency))
    answers: dict[str, SnmpAnswer] = {}

    async def one(address: str) -> None:
        async with limit:
            answer = await probe(address, credentials, timeout_s) if credentials else None
        if answer is not None:
            answers[address] = answer
        if on_done is not None:
            on_done(address, answer)

    await asyncio.gather(*(one(a) for a in addresses))
    return answers
