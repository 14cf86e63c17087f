"""Splitting the inventory into ICMP batches, and the lock that keeps a batch single.

Each batch is one Celery task, so several workers share a large inventory. A batch that is
still running when beat fires again must not start a second time: the task takes a cache
lock keyed by the batch's device ids, which expires by itself if its worker dies.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q

from monitoring.choices import ProfileMode, Source
from monitoring.icmp.monitor import depths_from_parents
from monitoring.models import Device, MonitoringProfile

__all__ = ["batch_lock", "batch_lock_key", "lock_expiry_s", "plan_batches", "split_batches"]

LOCK_PREFIX = "wardflux:icmp:batch:"
LOCK_MARGIN_S = 60  # database work after the sweep, and a slow worker


def split_batches(device_ids: list[int], batch_size: int) -> list[list[int]]:
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    return [device_ids[i : i + batch_size] for i in range(0, len(device_ids), batch_size)]


def icmp_device_ids() -> list[int]:
    """Enabled devices WARD FLUX pings itself, parents before children, then by id.

    Zabbix mode polls nothing; hybrid mode leaves Zabbix's devices to Zabbix.
    """
    mode = MonitoringProfile.current_mode()
    if mode == ProfileMode.ZABBIX:
        return []
    enabled = Device.objects.filter(enabled=True)
    if mode == ProfileMode.HYBRID:  # and those an operator flipped to local polling
        enabled = enabled.filter(Q(source=Source.WARDFLUX) | Q(poll_locally=True))
    ids = list(enabled.values_list("pk", flat=True))
    parent_of = dict(Device.objects.values_list("pk", "parent_id"))
    depths = depths_from_parents(parent_of, ids)
    return sorted(ids, key=lambda pk: (depths[pk], pk))


def plan_batches(batch_size: int | None = None) -> list[list[int]]:
    return split_batches(icmp_device_ids(), batch_size or settings.ICMP_BATCH_SIZE)


def lock_expiry_s(n_devices: int) -> int:
    """Longest a healthy batch can take: the sweep's own bound plus database time."""
    sweep_s = (settings.ICMP_COUNT - 1) * settings.ICMP_SPACING_MS / 1000
    sweep_s += (
        settings.ICMP_TIMEOUT_MS / 1000
        + 2 * n_devices * settings.ICMP_COUNT / settings.ICMP_RATE_PPS
    )
    return int(sweep_s) + LOCK_MARGIN_S


def batch_lock_key(device_ids: list[int]) -> str:
    digest = hashlib.sha1(",".join(map(str, sorted(device_ids))).encode()).hexdigest()
    return LOCK_PREFIX + digest[:20]


@contextmanager
def batch_lock(device_ids: list[int], expires_s: int | None = None) -> Iterator[bool]:
    """Yield True when this caller holds the batch, False when another run does.

    ``cache.add`` is atomic on Redis and the database cache; the lock is released only by
    its holder (a token check), so an expired-and-retaken lock is not freed by the old run.
    """
    key = batch_lock_key(device_ids)
    token = uuid.uuid4().hex
    acquired = cache.add(key, token, timeout=expires_s or lock_expiry_s(len(device_ids)))
    try:
        yield acquired
    finally:
        if acquired and cache.get(key) == token:
            cache.delete(key)
