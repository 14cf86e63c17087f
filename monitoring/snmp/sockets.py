"""What SNMP sessions of one process share: kept v3 sockets and per-target PDU slots."""

from __future__ import annotations

import asyncio
import threading
import time
import weakref

from gufo.snmp.aio import SnmpSession as GufoSession

from monitoring.snmp.target import SnmpTarget

# v3 sockets that worked, kept between sessions of this process: a v3 socket has done
# engine discovery and time sync (two round trips), which a poll should not repeat
# every interval. gufo sockets hold no event loop, so the next asyncio.run reuses them.
# Keyed by the whole target (keys included): changed credentials never reuse a socket.
# v1/v2c sockets are not kept: opening one costs ~10 us of CPU (gufo, measured), about
# 1% of a device's poll, below what bench/snmp_poll.py can see, and kept ones would
# hold a file descriptor per target between polls.
_V3_POOL: dict[SnmpTarget, list[tuple[GufoSession, float]]] = {}
_V3_POOL_LOCK = threading.Lock()
MAX_POOLED_SOCKETS = 1024  # file descriptors held by idle v3 sockets, all targets


def take_pooled(target: SnmpTarget) -> list[tuple[GufoSession, float]]:
    with _V3_POOL_LOCK:
        return _V3_POOL.pop(target, [])


def give_back(target: SnmpTarget, sockets: list[GufoSession], limit: int) -> None:
    now = time.monotonic()
    with _V3_POOL_LOCK:
        if sum(len(v) for v in _V3_POOL.values()) + len(sockets) > MAX_POOLED_SOCKETS:
            _V3_POOL.clear()  # rare: more v3 targets than we keep sockets for
        _V3_POOL[target] = [(sock, now) for sock in sockets[:limit]]


def forget_pooled_sockets() -> None:
    with _V3_POOL_LOCK:
        _V3_POOL.clear()


# One semaphore per (event loop, target): asyncio primitives belong to one loop.
_IN_FLIGHT: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict] = weakref.WeakKeyDictionary()


def target_semaphore(target: SnmpTarget, limit: int) -> asyncio.Semaphore:
    per_loop = _IN_FLIGHT.setdefault(asyncio.get_running_loop(), {})
    if target.key not in per_loop:
        per_loop[target.key] = asyncio.Semaphore(limit)
    return per_loop[target.key]
