"""Our one SNMP client, over gufo-snmp. Nothing else imports gufo_snmp.

Values come back as gufo decodes them: ``int`` (INTEGER, Counter32, Gauge32,
TimeTicks, Counter64), ``bytes`` (OCTET STRING), ``str`` (OBJECT IDENTIFIER and
IpAddress), ``float`` (Opaque float). gufo drops the ASN.1 tag, so Counter32 and
Counter64 look alike; see monitoring.snmp.syntax for the per-column answer.

gufo-snmp does every request it can, in every version: GETs (``get``, ``get_many``,
``get_one``) and walks of one subtree (``walk`` by GETNEXT, ``bulk_walk`` by GETBULK,
``walk_columns`` of one column). Our own v1/v2c codec (monitoring.snmp.ber and
monitoring.snmp.community) does only what gufo-snmp 0.13 cannot: a GETNEXT/GETBULK
with more than one OID, i.e. ``walk_columns`` of several columns on v1/v2c, where all
of a table's columns go in one PDU (what snmptable does). That one PDU instead of one
walk per column is what makes polling cheaper than snmp_exporter. v3 walks of several
columns are one gufo walk per column, concurrently (the codec has no USM).

pysnmp 7 does only what neither can: SNMPv3 with a context name (gufo-snmp 0.13 cannot
send one). Every request of a v3 target with a non-empty ``context_name`` (GETs, and
walks as GETBULK of all the asked columns in one PDU) goes through
monitoring.snmp.contexts, which returns the same values and raises the same errors
(plus SnmpUnknownContext); pysnmp is imported only then.

One gufo socket carries one PDU at a time (it matches replies by request-id and
drops the rest), so a session keeps a small pool of sockets; a v3 session hands its
own on to the next session of the same target in this process (no new engine
discovery). The codec's socket, opened only for a multi-column walk, lives for the
session and matches its PDUs by request-id. A per-target semaphore bounds the PDUs
in flight to that target across all sessions, gufo's and the codec's.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import gufo.snmp as gufo
from gufo.snmp.aio import SnmpSession as GufoSession

from monitoring.snmp import ber, diagnose
from monitoring.snmp.adaptive import MAX_WALK_ROWS, MaxRepetitions
from monitoring.snmp.community import CommunityChannel
from monitoring.snmp.errors import (
    AuthFailure,
    SnmpAuthError,
    SnmpError,
    SnmpNoSuchObject,
    SnmpProtocolError,
    SnmpTimeout,
    SnmpTooBig,
)
from monitoring.snmp.sockets import (
    give_back,
    take_pooled,
    target_semaphore,
)
from monitoring.snmp.target import GUFO_VERSIONS, SnmpTarget, Value, VarBind

if TYPE_CHECKING:
    from monitoring.snmp.contexts import ContextAgent

T = TypeVar("T")

DEFAULT_PDU_VARBINDS = 20
DEFAULT_MAX_IN_FLIGHT = 4

REFRESH_AFTER_S = 100.0  # gufo: refresh engine time when 150 s passed since the last request


class SnmpSession:
    """Async SNMP session to one target; use as ``async with SnmpSession(t) as s``."""

    def __init__(
        self,
        target: SnmpTarget,
        *,
        max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
        max_repetitions: MaxRepetitions | None = None,
        reuse: bool = True,
    ) -> None:
        """``reuse``: v3 may take sockets a session of this process left (no engine
        discovery); False to test a credential from scratch."""
        self.target = target
        self._reuse = reuse
        self.max_repetitions = max_repetitions or MaxRepetitions()
        self._max_in_flight = max_in_flight
        self._idle: list[GufoSession] = []
        self._semaphore: asyncio.Semaphore | None = None
        self._answered = False  # has the agent ever answered this session?
        self._pooled = False  # v3: are we using sockets kept from an earlier session?
        self._channel: CommunityChannel | None = None  # v1/v2c multi-column walks only
        self._sent = 0  # gufo GETs and walks (one each), retries; the codec's PDUs on close
        self._context: ContextAgent | None = None  # v3 with a context name only

    @property
    def requests(self) -> int:
        """gufo GETs and walks, plus the codec's PDUs, sent so far (retries included)."""
        sent = self._sent + (self._channel.sent if self._channel is not None else 0)
        return sent + (self._context.sent if self._context is not None else 0)

    async def __aenter__(self) -> SnmpSession:
        self._semaphore = target_semaphore(self.target, self._max_in_flight)
        if self.target.uses_context:
            from monitoring.snmp.contexts import ContextAgent

            self._context = ContextAgent(self.target, reuse=self._reuse)
            return self  # pysnmp discovers the engine on the first request
        if self.target.version != "v3":
            return self  # nothing to discover: the first request opens what it needs
        if self._reuse:
            await self._adopt_pooled()
        # Open one socket now (unless one was kept), so v3 discovery and key errors
        # surface here.
        await self._request(_no_pdu, is_pdu=False)
        return self

    async def _adopt_pooled(self) -> None:
        now = time.monotonic()
        for sock, last_used in take_pooled(self.target):
            if now - last_used > REFRESH_AFTER_S:
                try:
                    await self._map_errors(sock.refresh())
                except SnmpError:
                    continue  # the agent changed (reboot, new keys): open a new one
            self._idle.append(sock)
        self._answered = self._pooled = bool(self._idle)

    async def __aexit__(self, *exc_info: object) -> None:
        if self._context is not None:
            self._sent += self._context.sent  # keep the count after the close
            self._context.close(keep=exc_info[0] is None)
            self._context = None
        if self._reuse and self.target.version == "v3" and self._idle:
            give_back(self.target, self._idle, self._max_in_flight)
        self._idle = []  # gufo closes its socket when the object is freed
        if self._channel is not None:
            self._sent += self._channel.sent  # keep the count after the close
            self._channel.close()
            self._channel = None

    async def get(self, oids: Sequence[str]) -> dict[str, Value]:
        """One GET PDU. Objects the agent does not have are left out of the result."""
        oids = list(oids)
        if not oids:
            return {}
        if self._context is not None:
            return await self._in_context(lambda agent: agent.get(oids))
        found = await self._request(lambda s: s.get_many(oids))
        if self.target.version == "v1" and len(found) < len(oids) and len(oids) > 1:
            # v1 noSuchName fails the whole PDU: ask one by one to keep the rest.
            found = {}
            for oid in oids:
                found.update(await self._request(lambda s, o=oid: s.get_many([o])))
        return found

    async def get_one(self, oid: str) -> Value:
        found = await self.get([oid])
        if oid not in found or found[oid] is None:
            raise SnmpNoSuchObject(oid)
        return found[oid]

    async def get_many(
        self, oids: Sequence[str], per_pdu: int = DEFAULT_PDU_VARBINDS
    ) -> dict[str, Value]:
        """GETs of at most ``per_pdu`` varbinds each, sent concurrently (bounded)."""
        chunks = [oids[i : i + per_pdu] for i in range(0, len(oids), per_pdu)]
        result: dict[str, Value] = {}
        for part in await asyncio.gather(*(self.get(chunk) for chunk in chunks)):
            result.update(part)
        return result

    async def walk(self, column_oid: str) -> list[VarBind]:
        """GETNEXT walk of one subtree (works on v1); GETBULK in a v3 context."""
        if self._context is not None:
            return await self.bulk_walk(column_oid)
        return await self._request(lambda s: _collect(s.getnext(column_oid)))

    async def bulk_walk(self, column_oid: str, max_repetitions: int | None = None) -> list[VarBind]:
        """GETBULK walk of one subtree; GETNEXT on v1.

        Without an explicit ``max_repetitions`` the per-target adaptive value is
        used (capped by the rows this subtree had last time): halved and the walk
        restarted on tooBig or timeout, down to 1, where the error is raised.
        """
        if self.target.version == "v1":
            return await self.walk(column_oid)
        if self._context is not None:
            found = (await self._context_walk([column_oid], max_repetitions))[column_oid]
            return [(f"{column_oid}.{index}", value) for index, value in found.items()]
        return await self._adaptive_walk(
            (column_oid,),
            lambda reps: self._request(lambda s: _collect(s.getbulk(column_oid, reps))),
            len,
            max_repetitions,
        )

    async def _adaptive_walk(
        self,
        table: tuple[str, ...],
        walk: Callable[[int], Awaitable[T]],
        rows: Callable[[T], int],
        max_repetitions: int | None,
    ) -> T:
        """``walk(max_repetitions)`` of these columns, restarted whole on failure.

        Without an explicit ``max_repetitions`` the per-target adaptive value: halved
        and the walk restarted on tooBig or timeout, down to 1, where the error is
        raised; the walk's ``rows`` are remembered to cap the next one.
        """
        adaptive, key = self.max_repetitions, self.target.key
        while True:  # bounded: each failure halves the value until the floor re-raises
            reps = max_repetitions or adaptive.for_table(key, table)
            try:
                found = await walk(reps)
            except (SnmpTooBig, SnmpTimeout):
                if max_repetitions is not None or reps <= adaptive.floor:
                    raise
                adaptive.shrink(key)
                continue
            if max_repetitions is None:
                adaptive.remember_rows(key, table, rows(found))
            return found

    async def walk_columns(
        self, column_oids: Sequence[str], bulk: bool = True
    ) -> dict[str, dict[str, Value]]:
        """Walk table columns: ``{column: {index: value}}``.

        v1/v2c, several columns: our codec puts the columns of a table in one
        GETNEXT/GETBULK (up to DEFAULT_PDU_VARBINDS columns a PDU), each column dropped
        from the next PDU once it has left its subtree. One column, or v3: one
        concurrent gufo-snmp walk per column.
        """
        column_oids = list(dict.fromkeys(column_oids))
        if self._context is not None:  # several columns a GETBULK, like the codec
            return await _in_groups(column_oids, self._context_walk)
        if self.target.version != "v3" and len(column_oids) > 1:
            bulk = bulk and self.target.version != "v1"
            return await _in_groups(column_oids, lambda group: self._walk_group(group, bulk))
        walker = self.bulk_walk if bulk else self.walk
        results = await asyncio.gather(*(walker(column) for column in column_oids))
        table: dict[str, dict[str, Value]] = {}
        for column, rows in zip(column_oids, results, strict=True):
            prefix = column + "."
            table[column] = {oid[len(prefix) :]: value for oid, value in rows}
        return table

    async def _walk_group(
        self, columns: Sequence[str], bulk: bool, max_repetitions: int | None = None
    ) -> dict[str, dict[str, Value]]:
        """Walk these columns together, one PDU after another, until all have ended.

        Without an explicit ``max_repetitions`` the per-target adaptive value is used
        (capped by the rows seen last time): halved on tooBig or timeout and the same
        PDU asked again, down to 1, where the error is raised.
        """
        columns = list(dict.fromkeys(columns))
        walk = ber.ColumnWalk(columns, MAX_WALK_ROWS)
        adaptive, key, table = self.max_repetitions, self.target.key, tuple(columns)
        while walk.active:
            reps = max_repetitions or adaptive.for_table(key, table)
            try:
                step = lambda ch, r=reps: ch.walk_step(walk, bulk, r)  # noqa: E731
                await self._request(step, channel=True)
            except (SnmpTooBig, SnmpTimeout):
                if not bulk or max_repetitions is not None or reps <= adaptive.floor:
                    raise
                adaptive.shrink(key)
        if bulk and max_repetitions is None:
            adaptive.remember_rows(key, table, max(len(r) for r in walk.rows))
        return walk.result()

    async def _context_walk(
        self, columns: Sequence[str], max_repetitions: int | None = None
    ) -> dict[str, dict[str, Value]]:
        """GETBULK walk of these columns in the target's v3 context (pysnmp), with the
        adaptive max-repetitions of _adaptive_walk."""
        columns = list(dict.fromkeys(columns))
        return await self._adaptive_walk(
            tuple(columns),
            lambda reps: self._in_context(
                lambda agent: agent.walk_columns(columns, reps, self._slot), slot=False
            ),
            lambda found: max(len(rows) for rows in found.values()),
            max_repetitions,
        )

    def _slot(self) -> asyncio.Semaphore:
        """One of the target's in-flight slots (``async with``)."""
        if self._semaphore is None:
            raise SnmpError("use SnmpSession as an async context manager")
        return self._semaphore

    async def _in_context(
        self, call: Callable[[ContextAgent], Awaitable[T]], slot: bool = True
    ) -> T:
        """``call`` with the session's pysnmp agent (it does the target's retries)."""
        agent = self._context
        try:
            if not slot:
                return await call(agent)
            async with self._slot():
                return await call(agent)
        except SnmpTimeout:
            self._answered = self._answered or agent.answered
            await self._raise_if_priv_failure()
            raise
        finally:
            self._answered = self._answered or agent.answered

    async def _request(
        self, call: Callable[[Any], Awaitable[T]], is_pdu: bool = True, channel: bool = False
    ) -> T:
        """``call`` with a gufo socket, or with the codec's channel when ``channel``."""
        attempts = self.target.retries + 1
        for attempt in range(attempts):
            self._sent += is_pdu and not channel  # the channel counts its own PDUs
            try:
                async with self._socket(channel) as sock:
                    result = await call(sock)
                self._answered = self._answered or is_pdu
                return result
            except SnmpTimeout:
                if attempt == attempts - 1:
                    await self._raise_if_priv_failure()
                    raise
            except (SnmpNoSuchObject, SnmpTooBig):
                raise
            except SnmpError:
                if not self._pooled or channel:
                    raise
                # A kept v3 socket the agent no longer takes (it rebooted: engine
                # boots and time moved): forget the kept ones and ask again afresh.
                self._pooled, self._answered = False, False
                self._idle.clear()
                return await self._request(call, is_pdu, channel)
        raise AssertionError("unreachable")

    @asynccontextmanager
    async def _socket(self, channel: bool = False) -> AsyncIterator[Any]:
        """Borrow a gufo socket for one PDU (or one walk), holding a target slot; or,
        with ``channel``, the session's codec channel (opened on first use)."""
        async with self._slot():
            if channel:  # answers are matched by request-id: it stays for the session
                if self._channel is None:
                    opening = CommunityChannel(self.target)
                    await opening.open()  # a host name: another walk may open one meanwhile
                    if self._channel is None:
                        self._channel = opening
                    else:
                        opening.close()
                yield self._channel
                return
            started = time.monotonic()
            sock = self._idle.pop() if self._idle else None
            try:
                if sock is None:
                    sock = await self._map_errors(self._open_socket())
                yield sock
            except GeneratorExit:
                raise
            except SnmpError:
                sock = None  # a socket that failed may hold a late reply: drop it
                raise
            except BaseException as exc:
                sock = None
                raise await self._translate(exc, started) from exc
            finally:
                if sock is not None:
                    self._idle.append(sock)

    async def _open_socket(self) -> GufoSession:
        t = self.target
        options: dict[str, Any] = {"timeout": t.timeout_s, "version": GUFO_VERSIONS[t.version]}
        if t.version == "v3":
            options["user"] = t.gufo_user()
        else:
            options["community"] = t.community
        sock = GufoSession(t.address, t.port, **options)
        await sock.__aenter__()  # v3: engine discovery and time sync
        return sock

    async def _map_errors(self, coro: Coroutine[Any, Any, T]) -> T:
        try:
            return await coro
        except BaseException as exc:
            raise await self._translate(exc) from exc

    async def _translate(self, exc: BaseException, started: float | None = None) -> BaseException:
        if isinstance(exc, TimeoutError):
            timeout = self.target.timeout_s
            if started is not None and time.monotonic() - started < timeout / 2:
                # gufo's "timeout" at once: its connected socket got ICMP port
                # unreachable. No agent listens there; say so.
                return SnmpTimeout(f"{self.target!r}: port unreachable, no agent listening")
            return SnmpTimeout(f"{self.target!r}: no answer in {timeout}s")
        if isinstance(exc, gufo.NoSuchInstance):
            return SnmpNoSuchObject("?")
        if isinstance(exc, gufo.SnmpAuthError):
            reason = await diagnose.explain_auth_error(self.target)
            return SnmpAuthError(reason, f"user {self.target.username!r} at {self.target!r}")
        if isinstance(exc, gufo.SnmpEncodeError) and "out of buffer" in str(exc):
            return SnmpTooBig(f"request does not fit in one message: {exc}")
        if isinstance(exc, gufo.SnmpEncodeError | gufo.SnmpDecodeError):
            return SnmpProtocolError(str(exc))
        if isinstance(exc, gufo.SnmpError):
            if "too big" in str(exc).lower():
                return SnmpTooBig(str(exc))
            return SnmpError(str(exc))
        if isinstance(exc, OSError):
            return SnmpError(f"{self.target!r}: {exc}")
        return exc

    async def _raise_if_priv_failure(self) -> None:
        t = self.target
        if t.version != "v3" or t.security_level != "authPriv" or self._answered:
            return
        reason = await diagnose.explain_priv_timeout(t)
        if reason is AuthFailure.DECRYPTION_ERROR:
            detail = "agent accepts the auth key but drops authPriv requests (wrong priv key?)"
            raise SnmpAuthError(reason, f"user {t.username!r} at {t!r}: {detail}")
        if reason is not None:
            raise SnmpAuthError(reason, f"user {t.username!r} at {t!r}")


async def _in_groups(
    columns: list[str], walk_group: Callable[[list[str]], Awaitable[dict]]
) -> dict[str, dict[str, Value]]:
    """``walk_group`` over the columns, DEFAULT_PDU_VARBINDS a PDU, the groups at once:
    ``{column: {index: value}}`` in the columns' order."""
    groups = _column_groups(columns, DEFAULT_PDU_VARBINDS)
    table: dict[str, dict[str, Value]] = {}
    for part in await asyncio.gather(*(walk_group(group) for group in groups)):
        table.update(part)
    return {column: table[column] for column in columns}


def _column_groups(columns: Sequence[str], per_pdu: int) -> list[list[str]]:
    """Columns ordered by table (so a PDU's columns end together), at most per_pdu a group."""
    columns = list(dict.fromkeys(columns))
    tables = list(dict.fromkeys(c.rsplit(".", 1)[0] for c in columns))
    ordered = sorted(columns, key=lambda c: tables.index(c.rsplit(".", 1)[0]))
    count = -(-len(ordered) // per_pdu)
    size = -(-len(ordered) // count) if count else 0
    return [ordered[n : n + size] for n in range(0, len(ordered), size)] if size else []


async def _no_pdu(sock: GufoSession) -> None:
    return None


async def _collect(iterator: AsyncIterator[VarBind]) -> list[VarBind]:
    rows: list[VarBind] = []
    async for row in iterator:
        rows.append(row)
        if len(rows) >= MAX_WALK_ROWS:
            raise SnmpError(f"walk stopped after {MAX_WALK_ROWS} rows")
    return rows


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine from sync code (management commands, shell)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    coro.close()
    raise RuntimeError("run() called inside a running event loop; await the coroutine instead")
