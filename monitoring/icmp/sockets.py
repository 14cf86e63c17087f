"""ICMP sockets for the sweep and the diagnostics: one per address family per run.

Built on icmplib 3.0.4 (pinned): ``ICMPv4Socket``/``ICMPv6Socket`` open the socket and map
errors, ``_create_packet`` builds the echo request, ``_parse_reply`` turns bytes into an
``ICMPReply`` (including the quoted id/seq of Time Exceeded and Unreachable errors). We do
not use ``AsyncSocket.receive``: it reads with ``sock_recv`` and drops the source address,
which we need for matching. Instead one reader callback drains the socket with ``recvmsg``
and takes the kernel receive timestamp (SO_TIMESTAMPNS), so RTTs do not include the time the
event loop spent sending.
"""

from __future__ import annotations

import asyncio
import enum
import os
import socket
import struct
import time
from collections.abc import Callable

from icmplib import ICMPReply, ICMPv4Socket, ICMPv6Socket
from icmplib.exceptions import ICMPLibError, SocketPermissionError

__all__ = ["ClearError", "IcmpChannel", "SocketMode", "probe_socket_mode"]

# Linux constants the socket module does not export.
SO_TIMESTAMPNS = 35
SO_RCVBUFFORCE = 33
SOL_RAW = 255
ICMP_FILTER = 1
ICMP6_FILTER = 1
CAP_NET_RAW = 13

RCVBUF_BYTES = 8 * 1024 * 1024
RECV_BYTES = 2048
DRAIN_MAX_PACKETS = 512  # per reader wake-up, so a flood cannot starve the sender

ECHO_REPLY = {4: 0, 6: 129}
TIME_EXCEEDED = {4: 11, 6: 3}
UNREACHABLE = {4: 3, 6: 1}


OnReply = Callable[["IcmpChannel", ICMPReply, int], None]


class ClearError(RuntimeError):
    """An ICMP failure whose text says what is wrong and how to fix it."""


class SocketMode(enum.StrEnum):
    RAW = "raw"  # SOCK_RAW: root or CAP_NET_RAW; we own the identifier
    DGRAM = "dgram"  # SOCK_DGRAM ping socket: net.ipv4.ping_group_range; kernel sets the id


def _has_cap_net_raw() -> bool:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("CapEff:"):
                    return bool(int(line.split()[1], 16) >> CAP_NET_RAW & 1)
    except OSError:
        pass
    return os.geteuid() == 0


def _ping_group_range() -> str:
    try:
        with open("/proc/sys/net/ipv4/ping_group_range") as f:
            return " ".join(f.read().split())
    except OSError as err:
        return f"unreadable ({err})"


def _socket_class(family: int) -> type[ICMPv4Socket] | type[ICMPv6Socket]:
    if family not in (4, 6):
        raise ValueError(f"family must be 4 or 6, not {family!r}")
    return ICMPv4Socket if family == 4 else ICMPv6Socket


def _open(family: int, privileged: bool | None) -> ICMPv4Socket | ICMPv6Socket:
    cls = _socket_class(family)
    tries = [True, False] if privileged is None else [privileged]
    for is_raw in tries:
        try:
            return cls(privileged=is_raw)
        except SocketPermissionError:
            continue
        except ICMPLibError as err:
            raise ClearError(f"cannot open an ICMPv{family} socket: {err}") from err
    groups = sorted({os.getegid(), *os.getgroups()})
    raise ClearError(
        f"ICMPv{family} is not available to this process (uid {os.geteuid()}, "
        f"groups {groups}): raw sockets need root or CAP_NET_RAW "
        f"(CAP_NET_RAW {'present' if _has_cap_net_raw() else 'absent'}), and unprivileged ICMP "
        f"sockets need the group in net.ipv4.ping_group_range, which is "
        f"'{_ping_group_range()}'. Fix: run as root, `setcap cap_net_raw+ep` the Python binary, "
        f"or `sysctl -w net.ipv4.ping_group_range='0 2147483647'`."
    )


def probe_socket_mode(family: int = 4, privileged: bool | None = None) -> SocketMode:
    """Say which kind of ICMP socket this process can use; raise ClearError if none."""
    icmp = _open(family, privileged)
    try:
        return SocketMode.RAW if icmp.is_privileged else SocketMode.DGRAM
    finally:
        icmp.close()


def _raise_rcvbuf(sock: socket.socket) -> None:
    for option in (SO_RCVBUFFORCE, socket.SO_RCVBUF):  # FORCE passes rmem_max, root only
        try:
            sock.setsockopt(socket.SOL_SOCKET, option, RCVBUF_BYTES)
            return
        except OSError:
            continue


def _install_filter(sock: socket.socket, family: int, wanted: set[int]) -> None:
    """Let only the ICMP types we parse reach a raw socket (it sees all ICMP on the host)."""
    if family == 4:
        blocked = ~sum(1 << t for t in wanted) & 0xFFFFFFFF
        sock.setsockopt(SOL_RAW, ICMP_FILTER, struct.pack("I", blocked))
    else:
        words = [0xFFFFFFFF] * 8  # a set bit blocks the type (Linux ICMP6_FILTER)
        for t in wanted:
            words[t >> 5] &= ~(1 << (t & 31)) & 0xFFFFFFFF
        sock.setsockopt(socket.IPPROTO_ICMPV6, ICMP6_FILTER, struct.pack("8I", *words))


def _kernel_time_ns(ancdata: list[tuple[int, int, bytes]]) -> int:
    for level, kind, data in ancdata:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(data) >= 16:
            sec, nsec = struct.unpack_from("qq", data)
            return sec * 1_000_000_000 + nsec
    return time.time_ns()


class IcmpChannel:
    """One ICMP socket of one family: send echo requests, deliver parsed replies to a callback.

    Times are ``time.time_ns()`` on send and the kernel's receive stamp (same clock) on reply.
    """

    def __init__(
        self, family: int, privileged: bool | None = None, with_errors: bool = False
    ) -> None:
        self.family = family
        self._icmp = _open(family, privileged)
        self.mode = SocketMode.RAW if self._icmp.is_privileged else SocketMode.DGRAM
        self.sock: socket.socket = self._icmp.sock
        self.sock.setblocking(False)
        self.sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        _raise_rcvbuf(self.sock)
        self.wanted = {ECHO_REPLY[family]}
        if with_errors:
            self.wanted |= {TIME_EXCEEDED[family], UNREACHABLE[family]}
        if self.mode is SocketMode.RAW:
            _install_filter(self.sock, family, self.wanted)
        self._ttl: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.failure: Exception | None = None

    @property
    def is_raw(self) -> bool:
        return self.mode is SocketMode.RAW

    def packet(self, ident: int, sequence: int, payload: bytes) -> bytes:
        return self._icmp._create_packet(ident & 0xFFFF, sequence & 0xFFFF, payload)

    def send(self, address: str, packet: bytes, ttl: int | None = None) -> int:
        """Send one packet; return the send time in ns. Raises BlockingIOError when full."""
        if ttl is not None and ttl != self._ttl:
            self._icmp._set_ttl(ttl)
            self._ttl = ttl
        sent_ns = time.time_ns()
        self.sock.sendto(packet, (address, 0))
        return sent_ns

    def start(self, on_reply: OnReply) -> None:
        """Call ``on_reply(channel, reply, received_ns)`` for each wanted ICMP message.

        Runs in the event loop. If the callback raises, reading stops and the exception is
        kept in ``failure`` for the owner to re-raise (a reader callback cannot raise).
        """
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(self.sock.fileno(), self._drain, on_reply)

    def _drain(self, on_reply: OnReply) -> None:
        for _ in range(DRAIN_MAX_PACKETS):
            try:
                packet, ancdata, _flags, source = self.sock.recvmsg(RECV_BYTES, 64)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return  # e.g. a queued ICMP error on a ping socket; the timeout will count it
            received_ns = _kernel_time_ns(ancdata)
            reply = self._icmp._parse_reply(packet, source[0].split("%")[0], received_ns)
            if reply is not None and reply.type in self.wanted:
                try:
                    on_reply(self, reply, received_ns)
                except Exception as err:  # noqa: BLE001 - handed to the owner, see start()
                    self.failure = err
                    self._stop_reading()
                    return

    def _stop_reading(self) -> None:
        if self._loop is not None and not self._loop.is_closed() and self.sock is not None:
            self._loop.remove_reader(self.sock.fileno())
        self._loop = None

    def raise_failure(self) -> None:
        if self.failure is not None:
            raise self.failure

    def close(self) -> None:
        self._stop_reading()
        self._icmp.close()

    def __enter__(self) -> IcmpChannel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
