"""What a poll leaves behind in the database and the cache: locks, backoff, outcomes.

Kept apart from the SNMP work in monitoring.polling so that module stays about
asking and computing; everything here is synchronous Django.
"""

from __future__ import annotations

import math
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import Device, DeviceInterface, MonitoringItem

LOCK_PREFIX = "wf:poll-lock"
MAX_BACKOFF_INTERVALS = 16  # a dead device is still tried at least every 16 intervals
INTERFACE_SEEN_REFRESH = timedelta(minutes=5)  # last_seen need not move on every poll
LAST_VALUE_LENGTH = 255


def unreachable_after() -> int:
    return max(1, settings.SNMP_UNREACHABLE_AFTER)


# --- the lock: one (device, interval) poll at a time ---------------------------------------


def acquire_lock(device_id: int, interval: int | None, ttl_s: float) -> str | None:
    """A token if we got the lock, else None. The lock expires by itself after ttl_s,
    so a worker killed mid-poll does not block the device for ever."""
    token = uuid.uuid4().hex
    key = f"{LOCK_PREFIX}:{device_id}:{interval or 'all'}"
    if cache.add(key, token, timeout=max(1, math.ceil(ttl_s))):
        return token
    return None


def release_lock(device_id: int, interval: int | None, token: str) -> None:
    key = f"{LOCK_PREFIX}:{device_id}:{interval or 'all'}"
    if cache.get(key) == token:  # not ours any more if it expired and another took it
        cache.delete(key)


# --- backoff ------------------------------------------------------------------------------


def backoff_intervals(failures: int) -> int:
    """How many intervals to skip after ``failures`` failed polls in a row: 0 until the
    device turns unreachable, then 1, 2, 4 ... capped at MAX_BACKOFF_INTERVALS."""
    over = failures - unreachable_after()
    if over < 0:
        return 0
    return min(MAX_BACKOFF_INTERVALS, 2**over)


def is_backed_off(failures: int, last_polled: datetime | None, interval_s: int) -> bool:
    skip = backoff_intervals(failures)
    if not skip or last_polled is None:
        return False
    # Half an interval of slack: beat's ticks do not land exactly on the interval.
    due = last_polled + timedelta(seconds=interval_s * skip - interval_s / 2)
    return timezone.now() < due


# --- outcomes -----------------------------------------------------------------------------


def record_success(device_id: int, fields: dict[str, object], error: str = "") -> None:
    """Reachable again; strings (sysDescr, sysName...) written only when they changed.

    ``error``: what failed in a poll that was otherwise answered (one walk timed out).
    """
    now = timezone.now()
    changes = {"snmp_reachable": True, "snmp_failures": 0, "last_polled": now}
    changes["last_error"] = error[:2000]
    current = Device.objects.filter(pk=device_id).values(*fields).first() or {}
    changes |= {k: v for k, v in fields.items() if current.get(k) != v}
    Device.objects.filter(pk=device_id).update(**changes)


def record_failure(device_id: int, error: str) -> int:
    """Count one failed poll; SNMP-unreachable from SNMP_UNREACHABLE_AFTER on.

    Returns the failure count. Conditional updates, so concurrent workers count right.
    """
    now = timezone.now()
    with transaction.atomic():
        Device.objects.filter(pk=device_id).update(
            snmp_failures=F("snmp_failures") + 1, last_error=error[:2000], last_polled=now
        )
        Device.objects.filter(pk=device_id, snmp_failures__gte=unreachable_after()).update(
            snmp_reachable=False
        )
        failures = Device.objects.filter(pk=device_id).values_list("snmp_failures", flat=True)
        return failures.first() or 0


def known_interface_names(device_id: int) -> dict[int, str]:
    rows = DeviceInterface.objects.filter(device_id=device_id).values_list("if_index", "if_name")
    return dict(rows)


def save_interfaces(device_id: int, rows: list[dict]) -> None:
    """Upsert interfaces by ifName: a renumbered ifIndex updates the row it belongs to."""
    if not rows:
        return
    now = timezone.now()
    existing = {i.if_name: i for i in DeviceInterface.objects.filter(device_id=device_id)}
    new, changed, fields = [], [], set()
    seen_names = set()
    for row in rows:
        if row["if_name"] in seen_names:
            continue  # two interfaces with one name: the first (lowest ifIndex) keeps it
        seen_names.add(row["if_name"])
        iface = existing.get(row["if_name"])
        if iface is None:
            new.append(DeviceInterface(device_id=device_id, last_seen=now, **row))
            continue
        diff = {k: v for k, v in row.items() if getattr(iface, k) != v}
        if diff or now - iface.last_seen > INTERFACE_SEEN_REFRESH:
            for k, v in diff.items():
                setattr(iface, k, v)
            iface.last_seen = now
            fields |= set(diff) | {"last_seen"}
            changed.append(iface)
    with transaction.atomic():
        if changed:
            DeviceInterface.objects.bulk_update(changed, sorted(fields))
        if new:
            DeviceInterface.objects.bulk_create(new, ignore_conflicts=True)


def save_last_values(values: dict[int, object]) -> None:
    """Latest value of scalar items (shown in the admin); one bulk update."""
    if not values:
        return
    now = timezone.now()
    items = list(MonitoringItem.objects.filter(pk__in=values).only("pk", "last_value"))
    for item in items:
        item.last_value = str(values[item.pk])[:LAST_VALUE_LENGTH]
        item.last_clock = now
    MonitoringItem.objects.bulk_update(items, ["last_value", "last_clock"])
