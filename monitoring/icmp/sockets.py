"""ICMP sockets for the sweep and the diagnostics: one per address family per run.

Built on icmplib 3.0.4 (pinned): ``ICMPv4Socket``/``ICMPv6Socket`` open the socket and map
errors, ``_create_packet`` builds the echo request, ``_parse_reply`` turns bytes into an
``ICMPReply`` (including the quoted id/seq of Time Exceeded and Unreachable errors). We do
not use ``AsyncSocket.receive``: it reads with ``sock_recv`` and drops the source address,
which we need for matching. Instead one reader callback drains the socket with ``recvmsg``
and takes the kernel receive timestamp (SO_TIMESTAMPNS), so RTTs do not include the time the
event loop spent sending.

The sweep's hot path skips icmplib per packet: ``EchoTemplate`` precomputes the checksum
of everything but identifier and sequence (icmplib sums every byte in Python, ~20 us a
packet), and ``read_echoes`` parses only type, identifier and sequence of each reply
instead of building an ``ICMPReply``.
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

__all__ = ["ClearError", "EchoTemplate", "IcmpChannel", "SocketMode", "probe_socket_mode"]

# Linux constants the socket module does not export.
SO_TIMESTAMPNS = 35
SO_RCVBUFFORCE = 33
SO_SNDBUFFORCE = 32
SOL_RAW = 255
ICMP_FILTER = 1
ICMP6_FILTER = 1
CAP_NET_RAW = 13

# The kernel charges each queued reply its skb truesize, ~1.6 KB on loopback: 10,000 replies
# waiting to be read take 16 MB. 32 MB (the kernel doubles the figure we pass) leaves room
# for 40,000; memory is only used while replies are queued.
RCVBUF_BYTES = 16 * 1024 * 1024
SNDBUF_BYTES = 2 * 1024 * 1024  # a 5 ms burst at 100k pps queues without EAGAIN
RECV_BYTES = 2048
DRAIN_MAX_PACKETS = 512  # per reader wake-up, so a flood cannot starve the sender
_ECHO_HEADER = struct.Struct("!BBHHH")
_ID_SEQ = struct.Struct("!HH")

ECHO_REPLY = {4: 0, 6: 129}
TIME_EXCEEDED = {4: 11, 6: 3}
UNREACHABLE = {4: 3, 6: 1}


OnReply = Callable[["IcmpChannel", ICMPReply, int], None]
OnEcho = Callable[[str, int, int, int], None]  # source, identifier, sequence, received_ns


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


def _raise_buffers(sock: socket.socket) -> None:
    """Large buffers: a burst of sends or replies must queue, not fail or be dropped.

    The FORCE options pass net.core.rmem_max/wmem_max (root or CAP_NET_ADMIN only);
    otherwise the plain options give what the sysctl allows.
    """
    for options, size in (
        ((SO_RCVBUFFORCE, socket.SO_RCVBUF), RCVBUF_BYTES),
        ((SO_SNDBUFFORCE, socket.SO_SNDBUF), SNDBUF_BYTES),
    ):
        for option in options:
            try:
                sock.setsockopt(socket.SOL_SOCKET, option, size)
                break
            except OSError:
                continue


def _fold(total: int) -> int:
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total


class EchoTemplate:
    """Echo requests sharing a type and payload: only identifier, sequence, checksum vary.

    The Internet checksum is a ones' complement sum of 16-bit words, so the sum of the
    fixed words is computed once and each packet adds its identifier and sequence. Gives
    the same bytes as icmplib's ``_create_packet`` (a test compares them).
    """

    def __init__(self, icmp_type: int, payload: bytes) -> None:
        self.type = icmp_type
        self.payload = payload
        padded = payload + b"\0" * (len(payload) % 2)
        words = struct.unpack(f"!{len(padded) // 2}H", padded)
        self._fixed = _fold((icmp_type << 8) + sum(words))
        self._pack = _ECHO_HEADER.pack

    def packet(self, ident: int, sequence: int) -> bytes:
        total = self._fixed + ident + sequence
        total = (total & 0xFFFF) + (total >> 16)
        total = (total & 0xFFFF) + (total >> 16)
        return self._pack(self.type, 0, ~total & 0xFFFF, ident, sequence) + self.payload


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
        _raise_buffers(self.sock)
        self.wanted = {ECHO_REPLY[family]}
        if with_errors:
            self.wanted |= {TIME_EXCEEDED[family], UNREACHABLE[family]}
        if self.mode is SocketMode.RAW:
            _install_filter(self.sock, family, self.wanted)
        # Raw IPv4 sockets hand us the IP header; IPv6 and ping sockets start at ICMP.
        self.has_ip_header = family == 4 and self.mode is SocketMode.RAW
        self._templates: dict[bytes, EchoTemplate] = {}
        self._ttl: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.failure: Exception | None = None

    @property
    def is_raw(self) -> bool:
        return self.mode is SocketMode.RAW

    def template(self, payload: bytes) -> EchoTemplate:
        if payload not in self._templates:
            self._templates[payload] = EchoTemplate(self._icmp._ICMP_ECHO_REQUEST, payload)
        return self._templates[payload]

    def packet(self, ident: int, sequence: int, payload: bytes) -> bytes:
        return self.template(payload).packet(ident & 0xFFFF, sequence & 0xFFFF)

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

    def start_echoes(self, on_echo: OnEcho) -> None:
        """Like ``start`` for echo replies only, through the lean ``read_echoes``."""
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(self.sock.fileno(), self._drain_echoes, on_echo)

    def _drain_echoes(self, on_echo: OnEcho) -> None:
        try:
            self.read_echoes(on_echo, DRAIN_MAX_PACKETS)
        except Exception as err:  # noqa: BLE001 - handed to the owner, see start()
            self.failure = err
            self._stop_reading()

    def read_echoes(self, on_echo: OnEcho, limit: int) -> int:
        """Read up to ``limit`` queued packets without waiting; return how many were read.

        Calls ``on_echo(source, identifier, sequence, received_ns)`` for each echo reply;
        anything else (other ICMP types, runts) is skipped. Callable from a send loop too,
        so replies are taken off the socket while a burst is still going out.
        """
        recvmsg, sock_time = self.sock.recvmsg, _kernel_time_ns
        unpack_from, want, ip_header = _ID_SEQ.unpack_from, ECHO_REPLY[self.family], 0
        for n in range(limit):
            try:
                packet, ancdata, _flags, source = recvmsg(RECV_BYTES, 64)
            except (BlockingIOError, InterruptedError):
                return n
            except OSError:
                continue  # a queued ICMP error on a ping socket (read once); timeout counts it
            if self.has_ip_header:
                ip_header = (packet[0] & 0x0F) * 4
            if len(packet) < ip_header + 8 or packet[ip_header] != want:
                continue
            ident, sequence = unpack_from(packet, ip_header + 4)
            address = source[0] if self.family == 4 else source[0].split("%")[0]
            on_echo(address, ident, sequence, sock_time(ancdata))
        return limit

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
