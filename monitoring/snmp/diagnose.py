"""Name the reason of an SNMPv3 refusal.

gufo-snmp 0.13 turns every usmStats report into one ``SnmpAuthError("authentication
failed")`` and times out when the agent drops a request it cannot decrypt (net-snmp
sends no report then). On those failures only, we repeat the request once with
pysnmp, which reads the report PDU's usmStats OID, to tell the user which key is
wrong. pysnmp is imported lazily: the happy path never loads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from monitoring.snmp.contexts import ERROR_INDICATION, usm_user
from monitoring.snmp.errors import AuthFailure

if TYPE_CHECKING:
    from monitoring.snmp.target import SnmpTarget

PROBE_OID = "1.3.6.1.2.1.1.3.0"  # sysUpTime.0


async def probe_auth(target: SnmpTarget, *, with_priv: bool) -> AuthFailure | None:
    """One GET with pysnmp. None: the agent answered (any PDU, even an error-status).

    Raises TimeoutError when the agent stays silent.
    """
    from pysnmp.hlapi.v3arch import asyncio as hl

    user = usm_user(hl, target, with_priv=with_priv)
    engine = hl.SnmpEngine()
    try:
        transport = await hl.UdpTransportTarget.create(
            (target.address, target.port), timeout=target.timeout_s, retries=0
        )
        indication, _status, _index, _binds = await hl.get_cmd(
            engine, user, transport, hl.ContextData(), hl.ObjectType(hl.ObjectIdentity(PROBE_OID))
        )
    finally:
        engine.close_dispatcher()
    if indication is None:
        return None
    name = type(indication).__name__
    if name == "RequestTimedOut":
        raise TimeoutError(str(indication))
    return ERROR_INDICATION.get(name, AuthFailure.UNKNOWN)


async def explain_auth_error(target: SnmpTarget) -> AuthFailure:
    """gufo said "authentication failed": ask again to learn which report it was."""
    try:
        return await probe_auth(target, with_priv=True) or AuthFailure.UNKNOWN
    except TimeoutError:
        return AuthFailure.UNKNOWN


async def explain_priv_timeout(target: SnmpTarget) -> AuthFailure | None:
    """An authPriv target never answered: is it a wrong privacy key?

    If the same user without privacy gets any answer, the agent is alive and accepts
    our auth key, so it is dropping what it cannot decrypt. None: a plain timeout.
    Caveat: snmpsim also drops requests for a context it has no data for, which looks
    the same from outside.
    """
    try:
        failure = await probe_auth(target, with_priv=False)
    except TimeoutError:
        return None
    if failure in (None, AuthFailure.UNSUPPORTED_SECURITY_LEVEL):
        return AuthFailure.DECRYPTION_ERROR
    return failure
