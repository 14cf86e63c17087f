"""SNMPv3 requests in a named context, over pysnmp 7 (gufo-snmp 0.13 cannot send one).

Only what a poll needs: a GET of several OIDs and a GETBULK walk of one or several
columns (all in one PDU, like snmptable). Values come back as the gufo path gives them
(see monitoring.snmp.client); objects the agent does not have are left out.

pysnmp is imported lazily: a process that never polls a context never loads it.
One pysnmp engine per target is kept between sessions of this process (like the gufo
v3 sockets), so a poll does not repeat engine discovery and time sync; its dispatcher
(the UDP socket, bound to one event loop) is closed at the end of every session.
"""

from __future__ import annotations

import struct
import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager, nullcontext
from typing import TYPE_CHECKING, Any

from monitoring.snmp.adaptive import MAX_WALK_ROWS
from monitoring.snmp.errors import (
    AuthFailure,
    SnmpAuthError,
    SnmpError,
    SnmpTimeout,
    SnmpTooBig,
    SnmpUnknownContext,
)

if TYPE_CHECKING:
    from monitoring.snmp.target import SnmpTarget, Value

UNKNOWN_CONTEXTS_OID = "1.3.6.1.6.3.12.1.1.5.0"  # SNMP-TARGET-MIB snmpUnknownContexts.0
VACM_CONTEXT_NAME = "1.3.6.1.6.3.16.1.1.1.1"  # SNMP-VIEW-BASED-ACM-MIB vacmContextName

# Our protocol names -> pysnmp's (attributes of pysnmp.hlapi.v3arch.asyncio).
PYSNMP_AUTH = {
    "MD5": "usmHMACMD5AuthProtocol",
    "SHA": "usmHMACSHAAuthProtocol",
    "SHA-224": "usmHMAC128SHA224AuthProtocol",
    "SHA-256": "usmHMAC192SHA256AuthProtocol",
    "SHA-384": "usmHMAC256SHA384AuthProtocol",
    "SHA-512": "usmHMAC384SHA512AuthProtocol",
}
PYSNMP_PRIV = {
    "DES": "usmDESPrivProtocol",
    "AES-128": "usmAesCfb128Protocol",
    "AES-192": "usmAesBlumenthalCfb192Protocol",
    "AES-256": "usmAesBlumenthalCfb256Protocol",
}
# pysnmp's error indications for the usmStats reports (RFC 3414).
ERROR_INDICATION = {
    "UnknownEngineID": AuthFailure.UNKNOWN_ENGINE_ID,
    "UnknownUserName": AuthFailure.UNKNOWN_USER_NAME,
    "WrongDigest": AuthFailure.WRONG_DIGEST,
    "DecryptionError": AuthFailure.DECRYPTION_ERROR,
    "NotInTimeWindow": AuthFailure.NOT_IN_TIME_WINDOW,
    "UnsupportedSecurityLevel": AuthFailure.UNSUPPORTED_SECURITY_LEVEL,
}


def usm_user(hl: Any, target: SnmpTarget, *, with_priv: bool = True) -> Any:
    """pysnmp's UsmUserData for the target's v3 user (``with_priv=False``: auth only)."""
    auth = getattr(hl, PYSNMP_AUTH[target.auth_protocol]) if target.auth_protocol else None
    needs_auth = target.security_level in ("authNoPriv", "authPriv")
    options: dict[str, Any] = {}
    if needs_auth and auth is not None:
        options |= {"authKey": target.auth_key, "authProtocol": auth}
    if with_priv and target.security_level == "authPriv" and target.priv_protocol:
        priv = getattr(hl, PYSNMP_PRIV[target.priv_protocol])
        options |= {"privKey": target.priv_key, "privProtocol": priv}
    return hl.UsmUserData(target.username, **options)


def _hlapi() -> Any:
    from pysnmp.hlapi.v3arch import asyncio as hl

    return hl


# Engines that worked, between sessions of this process; keyed by the whole target
# (keys included), so changed credentials never reuse one. A session takes its
# target's engine out while it runs: two sessions never share one.
_ENGINES: dict[SnmpTarget, Any] = {}
_ENGINES_LOCK = threading.Lock()
MAX_POOLED_ENGINES = 1024


def forget_engines() -> None:
    with _ENGINES_LOCK:
        _ENGINES.clear()


Slot = Callable[[], AbstractAsyncContextManager[Any]]


class ContextAgent:
    """One target's v3 user in one context, for one session (one event loop)."""

    def __init__(self, target: SnmpTarget, *, reuse: bool = True) -> None:
        self.target = target
        self.context = target.context_name
        self._reuse = reuse
        self._hl = _hlapi()
        engine = None
        if reuse:
            with _ENGINES_LOCK:
                engine = _ENGINES.pop(target, None)
        self.reused = engine is not None
        self._engine = engine or self._hl.SnmpEngine()
        self._user = usm_user(self._hl, target)
        self._transport: Any = None
        self._probe_transport: Any = None  # the default context, to explain a failure
        self.answered = False  # did the agent answer in this session?
        self.sent = 0  # requests (pysnmp retries not counted)

    async def _transport_target(self, probe: bool = False) -> Any:
        """The agent's address, with the target's retries; one try when ``probe``."""
        t = self.target
        if probe:
            if self._probe_transport is None:
                self._probe_transport = await self._hl.UdpTransportTarget.create(
                    (t.address, t.port), timeout=t.timeout_s, retries=0
                )
            return self._probe_transport
        if self._transport is None:
            self._transport = await self._hl.UdpTransportTarget.create(
                (t.address, t.port), timeout=t.timeout_s, retries=t.retries
            )
        return self._transport

    def close(self, keep: bool = True) -> None:
        """Close the dispatcher (this loop's socket); keep the engine if it worked and
        ``keep`` (False after an exception: a request may still be pending in it).

        The engine keeps what discovery learnt (the agent's engine ID, boots and time);
        pysnmp's config cache forgets the closed transport, so the next session's
        request opens a new one in its own event loop."""
        cache = self._engine.get_user_context("CommandGeneratorLcdConfigurator")
        if cache is not None:
            cache["tran"].clear()
        self._engine.close_dispatcher()
        if keep and self._reuse and self.answered:
            with _ENGINES_LOCK:
                if len(_ENGINES) >= MAX_POOLED_ENGINES:
                    _ENGINES.clear()
                _ENGINES[self.target] = self._engine

    async def get(self, oids: Sequence[str]) -> dict[str, Value]:
        """One GET PDU in the context."""
        hl = self._hl
        binds = await self._call(
            hl.get_cmd, *(hl.ObjectType(hl.ObjectIdentity(oid)) for oid in oids)
        )
        found: dict[str, Value] = {}
        for oid, value in binds:
            if (decoded := _decode(value)) is not _ABSENT:
                found[oid] = decoded
        return found

    async def walk_columns(
        self,
        columns: Sequence[str],
        max_repetitions: int,
        slot: Slot,
        context: str | None = None,
    ) -> dict[str, dict[str, Value]]:
        """GETBULK walk of these columns together: ``{column: {index: value}}``.

        Each PDU asks for the unfinished columns only; a column ends when it leaves its
        subtree, hits endOfMibView or stops increasing. ``slot`` is held per PDU.
        ``context``: another context than the target's (the default one: "").
        """
        hl = self._hl
        columns = list(dict.fromkeys(columns))
        prefixes = [tuple(int(p) for p in c.split(".")) for c in columns]
        cursors = list(prefixes)
        rows: list[dict[str, Value]] = [{} for _ in columns]
        active = list(range(len(columns)))
        total = 0
        while active:
            request = [hl.ObjectType(hl.ObjectIdentity(cursors[c])) for c in active]
            async with slot():
                binds = await self._call(hl.bulk_cmd, 0, max_repetitions, *request, context=context)
            if not binds:
                raise SnmpError(f"{self._where}: a GETBULK answer without varbinds")
            width, done = len(active), set()
            for n, (oid, value) in enumerate(binds):
                position = n % width
                if position in done:
                    continue
                column = active[position]
                numbers = tuple(int(p) for p in oid.split("."))
                prefix = prefixes[column]
                decoded = _decode(value)
                if (
                    decoded is _ABSENT
                    or numbers[: len(prefix)] != prefix
                    or len(numbers) == len(prefix)
                    or numbers <= cursors[column]
                ):
                    done.add(position)
                    continue
                rows[column][oid[len(columns[column]) + 1 :]] = decoded
                cursors[column] = numbers
                total += 1
                if total > MAX_WALK_ROWS:
                    raise SnmpError(f"walk stopped after {MAX_WALK_ROWS} rows")
            active = [c for p, c in enumerate(active) if p not in done]
        return {column: rows[n] for n, column in enumerate(columns)}

    @property
    def _where(self) -> str:
        return f"{self.target!r} context {self.context!r}"

    async def _call(
        self, command: Any, *args: Any, context: str | None = None, explain: bool = True
    ) -> list:
        """One pysnmp command; its varbinds as ``[(dotted oid, pysnmp value)]``.

        ``context``: another context than the target's; the default one ("") is asked
        only to explain a failure, with one try.
        """
        hl = self._hl
        name = self.context if context is None else context
        self.sent += 1
        indication, status, index, binds = await command(
            self._engine,
            self._user,
            await self._transport_target(probe=context == ""),
            hl.ContextData(contextName=name),
            *args,
            lookupMib=False,
        )
        if indication is not None:
            raise await self._error(indication, explain and context is None)
        self.answered = True
        if status:
            if int(status) == 1:
                raise SnmpTooBig(f"{self._where}: tooBig")
            raise SnmpError(f"{self._where}: {status.prettyPrint()} at varbind {int(index)}")
        return [(str(vb[0]), vb[1]) for vb in binds]

    async def _error(self, indication: Any, explain: bool) -> SnmpError:
        name = type(indication).__name__
        user = f"user {self.target.username!r} at {self._where}"
        if name in ERROR_INDICATION:
            return SnmpAuthError(ERROR_INDICATION[name], user)
        if name == "ReportPduReceived" and UNKNOWN_CONTEXTS_OID[:-2] in str(indication):
            return SnmpUnknownContext(self.context, f"{self.target!r}: agent reported it")
        if name == "RequestTimedOut":
            if explain:  # a timeout in our context: is it the context?
                unknown = await self._unknown_context()
                if unknown is not None:
                    return unknown
            return SnmpTimeout(f"{self._where}: no answer in {self.target.timeout_s}s")
        return SnmpError(f"{self._where}: {indication}")

    async def _unknown_context(self) -> SnmpError | None:
        """Our context timed out: is it one the agent does not serve?

        net-snmp drops a request for a context it does not know, with no report (and
        has no snmpUnknownContexts counter). Its vacmContextTable (RFC 3415: the
        locally available contexts) says which it has: read it in the default context.
        None: we cannot tell (the agent is silent there too, or does not list them).
        """
        t = self.target
        try:
            found = await self.walk_columns([VACM_CONTEXT_NAME], 25, nullcontext, context="")
        except SnmpAuthError as exc:
            return exc
        except SnmpError:
            return None
        names = {v for v in found[VACM_CONTEXT_NAME].values() if isinstance(v, bytes)}
        if not names:
            return None
        if self.context.encode() not in names:
            listed = ", ".join(repr(n.decode(errors="replace")) for n in sorted(names))
            return SnmpUnknownContext(self.context, f"{t!r} serves only {listed}")
        return SnmpTimeout(
            f"{self._where}: no answer in {t.timeout_s}s, though the agent serves that "
            "context (a proxied agent down?)"
        )


_ABSENT = object()


def _decode(value: Any) -> Any:
    """A pysnmp value as the gufo path gives it; _ABSENT for noSuch*/endOfMibView."""
    if value is None:
        return _ABSENT
    from pyasn1.type import univ
    from pysnmp.proto import rfc1902, rfc1905

    tag = value.tagSet
    if tag in (rfc1905.NoSuchObject.tagSet, rfc1905.NoSuchInstance.tagSet):
        return _ABSENT
    if tag == rfc1905.EndOfMibView.tagSet:
        return _ABSENT
    if tag == rfc1902.IpAddress.tagSet:
        return ".".join(str(b) for b in value.asNumbers())
    if tag == rfc1902.Opaque.tagSet:
        return _opaque(value.asOctets())
    if isinstance(value, univ.OctetString):
        return value.asOctets()
    if isinstance(value, univ.ObjectIdentifier):
        return ".".join(str(n) for n in value)
    if isinstance(value, univ.Null):
        return None
    return int(value)


def _opaque(data: bytes) -> float | bytes:
    """net-snmp wraps floats in Opaque (tag 9f78, 9f79); gufo decodes those to float."""
    if len(data) == 7 and data[:3] == b"\x9f\x78\x04":
        return struct.unpack(">f", data[3:])[0]
    if len(data) == 11 and data[:3] == b"\x9f\x79\x08":
        return struct.unpack(">d", data[3:])[0]
    return data
