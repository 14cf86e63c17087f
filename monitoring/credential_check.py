"""Try a credential against an address before relying on it ("test credentials")."""

from __future__ import annotations

import time

from .polling import target_from
from .snmp import SnmpAuthError, SnmpError, SnmpSession, run
from .snmp.mapping import decode_text

PROBE_OIDS = {"sys_descr": "1.3.6.1.2.1.1.1.0", "sys_name": "1.3.6.1.2.1.1.5.0"}


def check_credential(credential, address: str) -> dict:
    """One GET of sysDescr and sysName. On failure ``error`` says why; for SNMPv3
    ``reason`` names it (unknown engine ID, unknown user name, wrong digest,
    decryption error...)."""
    started = time.monotonic()
    outcome: dict = {"ok": False, "address": address, "error": "", "reason": ""}
    try:
        target = target_from(credential, address)
        found = run(_probe(target))
    except SnmpAuthError as exc:
        outcome |= {"error": str(exc), "reason": exc.reason.value}
    except SnmpError as exc:
        outcome["error"] = str(exc)
    else:
        outcome["ok"] = True
        outcome |= {k: decode_text(found.get(oid)) for k, oid in PROBE_OIDS.items()}
    outcome["elapsed_ms"] = round((time.monotonic() - started) * 1000, 1)
    return outcome


async def _probe(target) -> dict:
    async with SnmpSession(target, reuse=False) as session:  # the credential, from scratch
        return await session.get(list(PROBE_OIDS.values()))
