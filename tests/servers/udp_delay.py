"""A UDP relay on loopback that answers late: each datagram is forwarded to the real
agent after ``delay_s`` and the agent's reply relayed back. Makes a slow device out of a
fast snmpd, so a test can catch a poll in the middle. With ``max_reply_bytes`` it drops
replies longer than that, as a path that loses fragmented datagrams does: the big
GETBULK answers of a walk time out until the poller asks for fewer repetitions."""

from __future__ import annotations

import socket
import threading

from tests.servers.ports import LOOPBACK

UPSTREAM_TIMEOUT_S = 2.0
MAX_PENDING = 64


class DelayingRelay:
    def __init__(self, target: tuple[str, int], delay_s: float, max_reply_bytes: int | None = None):
        self.target, self.delay_s, self.max_reply_bytes = target, delay_s, max_reply_bytes
        self.dropped = 0
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((LOOPBACK, 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self._pending = threading.BoundedSemaphore(MAX_PENDING)
        self._thread = threading.Thread(target=self._serve, name="udp-delay", daemon=True)

    def __enter__(self) -> DelayingRelay:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                data, client = self.sock.recvfrom(65535)
            except (TimeoutError, OSError):
                continue
            if not self._pending.acquire(blocking=False):
                continue  # too many in flight: drop, as a congested agent would
            timer = threading.Timer(self.delay_s, self._forward, (data, client))
            timer.daemon = True
            timer.start()

    def _forward(self, data: bytes, client: tuple[str, int]) -> None:
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as up:
                up.settimeout(UPSTREAM_TIMEOUT_S)
                up.sendto(data, self.target)
                reply, _ = up.recvfrom(65535)
            if self.max_reply_bytes is not None and len(reply) > self.max_reply_bytes:
                self.dropped += 1
                return
            if not self._stop.is_set():
                self.sock.sendto(reply, client)
        except OSError:
            pass
        finally:
            self._pending.release()
