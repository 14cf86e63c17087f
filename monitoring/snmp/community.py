"""The v1/v2c multi-column walk's transport: our codec's PDUs over one connected UDP
socket per session, answers matched by request-id.

It carries only what gufo-snmp 0.13 cannot send: a GETNEXT/GETBULK with several OIDs
(the columns of a table walked together, see SnmpSession.walk_columns). GETs and
one-column walks go through gufo-snmp (monitoring.snmp.client). The socket is opened
on a session's first multi-column walk; its reader stays registered for the session,
so a walk of many PDUs costs one add_reader. A late answer to a timed-out request is
dropped by its request-id, so the socket stays usable after a timeout.
"""

from __future__ import annotations

import asyncio
import ipaddress
import random
import socket

from monitoring.snmp import ber
from monitoring.snmp.errors import SnmpError, SnmpProtocolError, SnmpTimeout, SnmpTooBig

RECV_SIZE = 65_535
READS_PER_WAKEUP = 64


class CommunityChannel:
    def __init__(self, target) -> None:
        self.target = target
        self.community = target.community.encode()
        self._sock: socket.socket | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: dict[int, asyncio.Future] = {}
        self._next_id = random.randrange(1, 2**30)
        self.sent = 0  # PDUs sent, retries included

    async def open(self) -> None:
        loop = asyncio.get_running_loop()
        t = self.target
        try:
            family = socket.AF_INET6 if ipaddress.ip_address(t.address).version == 6 else 0
            family = family or socket.AF_INET
            address: tuple = (t.address, t.port)
        except ValueError:  # a host name
            infos = await loop.getaddrinfo(t.address, t.port, type=socket.SOCK_DGRAM)
            if not infos:
                raise SnmpError(f"{t!r}: cannot resolve {t.address!r}") from None
            family, address = infos[0][0], infos[0][4]
        sock = socket.socket(family, socket.SOCK_DGRAM)
        try:
            sock.setblocking(False)
            sock.connect(address)  # the kernel drops datagrams from anyone else
            loop.add_reader(sock.fileno(), self._readable)
        except OSError as exc:
            sock.close()
            raise SnmpError(f"{t!r}: {exc}") from exc
        self._sock, self._loop = sock, loop

    def close(self) -> None:
        if self._sock is None:
            return
        if self._loop is not None and not self._loop.is_closed():
            self._loop.remove_reader(self._sock.fileno())
        self._sock.close()
        self._sock = None
        for future in self._pending.values():
            if not future.done():
                future.cancel()
        self._pending.clear()

    def _readable(self) -> None:
        sock = self._sock
        for _ in range(READS_PER_WAKEUP):
            if sock is None:
                return
            try:
                data = sock.recv(RECV_SIZE)
            except (BlockingIOError, InterruptedError):
                return
            except ConnectionRefusedError:
                # ICMP port unreachable: nothing listens there, so no answer will come to
                # any request of this (connected) socket. Fail them now, as gufo-snmp does
                # (a timeout at once), rather than after the whole timeout: a discovery
                # probing thousands of hosts without SNMP depends on it.
                for future in self._pending.values():
                    if not future.done():
                        future.set_exception(ConnectionRefusedError())
                continue
            except OSError:  # other ICMP errors (host unreachable...): let the request time out
                continue
            try:
                header = ber.response_header(data)
            except ber.BerError:
                continue  # not an answer we can read: like gufo, ignore it
            future = self._pending.get(header[0])
            if future is not None and not future.done():
                future.set_result((data, header))

    async def exchange(self, pdu_type: int, oids: list[bytes], max_repetitions: int = 0):
        """Send one PDU, await its Response: (data, (request_id, status, index, start, end))."""
        if self._sock is None or self._loop is None:
            raise SnmpError("channel is not open")
        self._next_id = request_id = (self._next_id % 0x7FFFFFFF) + 1
        message = ber.encode_request(
            self.target.version, self.community, pdu_type, request_id, oids, max_repetitions
        )
        future = self._loop.create_future()
        self._pending[request_id] = future
        self.sent += 1
        timer = self._loop.call_later(self.target.timeout_s, _expire, future)
        try:
            try:
                self._sock.send(message)
            except BlockingIOError:
                await self._loop.sock_sendall(self._sock, message)
            except OSError as exc:
                raise SnmpError(f"{self.target!r}: {exc}") from exc
            return await future
        except TimeoutError:
            raise SnmpTimeout(f"{self.target!r}: no answer in {self.target.timeout_s}s") from None
        except ConnectionRefusedError:
            raise SnmpTimeout(f"{self.target!r}: port unreachable, no agent listening") from None
        finally:
            timer.cancel()
            self._pending.pop(request_id, None)

    async def walk_step(self, walk: ber.ColumnWalk, bulk: bool, max_repetitions: int) -> None:
        """One GETBULK (or v1 GETNEXT) for the walk's unfinished columns, fed into it."""
        if bulk:
            reply = await self.exchange(ber.GETBULK, walk.request_oids(), max_repetitions)
        else:
            reply = await self.exchange(ber.GETNEXT, walk.request_oids())
        data, (_rid, status, index, start, end) = reply
        if status == ber.NO_SUCH_NAME and 0 < index <= len(walk.active):
            walk.end(index - 1)  # v1's end of the MIB view for that column
            return
        _raise_for(status, index, self.target)
        try:
            walk.feed(data, start, end)
        except ber.BerError as exc:
            raise SnmpProtocolError(f"{self.target!r}: {exc}") from exc


def _raise_for(status: int, index: int, target) -> None:
    if status == 0:
        return
    if status == ber.TOO_BIG:
        raise SnmpTooBig(f"{target!r}: tooBig")
    raise SnmpError(f"{target!r}: {ber.ErrorStatus(status, index)}")


def _expire(future: asyncio.Future) -> None:
    if not future.done():
        future.set_exception(TimeoutError())
