"""Keep django-celery-beat in step with the items: one PeriodicTask per (device, interval).

A task is named ``poll:<device_id>:<interval>s``, runs ``monitoring.tasks.poll_device``
with ``{"device_id", "interval"}`` on queue ``poll.<poller_group>`` and shares the one
IntervalSchedule of its interval. Rows are written only when they differ, with bulk
writes (no per-row signals) followed by one ``PeriodicTasks.update_changed()``, so beat
reloads once per change, within one tick, without a restart.

Signals call ``sync_devices`` in the transaction of the edit; bulk paths wrap their work
in ``deferred_sync()`` so each device is synced once, at the end.
"""

from __future__ import annotations

import json
import threading
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks

from .choices import ProfileMode, Source
from .models import Device, MonitoringItem, MonitoringProfile

TASK = "monitoring.tasks.poll_device"
NAME_PREFIX = "poll:"


def task_name(device_id: int, interval: int) -> str:
    return f"{NAME_PREFIX}{device_id}:{interval}s"


def queue_for(poller_group: str) -> str:
    return f"poll.{poller_group}"


# Long intervals (hourly identity items) spread their first run over at most this long, so a
# new device shows its sysName and sysDescr within minutes, not up to an hour later.
FIRST_RUN_SPREAD_MAX_S = 300


def first_run_offset_s(device_id: int, interval: int) -> float:
    """Where in its interval a device's polls land: a stable hash, so 10,000 devices
    created at once do not all fire in the same second."""
    window_ms = min(interval, FIRST_RUN_SPREAD_MAX_S) * 1000
    return (zlib.crc32(f"device:{device_id}".encode()) % window_ms) / 1000


def _locally_polled_check(mode: str):
    """zabbix_bridge decides in hybrid mode when it is installed; else our own rule.

    The mode is read once per sync, not once per device.
    """
    try:
        from zabbix_bridge.modes import is_polled_locally
    except ImportError:
        return lambda device: device.source == Source.WARDFLUX
    return lambda device: is_polled_locally(device, mode)


@dataclass
class SyncCounts:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)

    def __add__(self, other: SyncCounts) -> SyncCounts:
        return SyncCounts(
            self.created + other.created,
            self.updated + other.updated,
            self.deleted + other.deleted,
            self.unchanged + other.unchanged,
        )


def wanted_tasks(device_ids: Iterable[int] | None = None) -> dict[str, dict]:
    """name -> the fields its PeriodicTask must have, for these devices (None: all)."""
    mode = MonitoringProfile.current_mode()
    if mode == ProfileMode.ZABBIX:
        return {}
    devices = Device.objects.filter(enabled=True, snmp_credential__isnull=False)
    if device_ids is not None:
        devices = devices.filter(pk__in=list(device_ids))
    is_local = _locally_polled_check(mode)
    fields = ("pk", "poller_group", "source", "zabbix_hostid", "poll_locally")
    groups = {d.pk: d.poller_group for d in devices.only(*fields) if is_local(d)}
    pairs = (
        MonitoringItem.objects.filter(device_id__in=list(groups), enabled=True)
        .exclude(oid="")
        .values_list("device_id", "interval")
        .distinct()
    )
    wanted = {}
    for device_id, interval in pairs:
        wanted[task_name(device_id, interval)] = {
            "device_id": device_id,
            "interval": interval,
            "queue": queue_for(groups[device_id]),
            "kwargs": json.dumps({"device_id": device_id, "interval": interval}),
        }
    return wanted


def _existing(device_ids: list[int] | None) -> dict[str, PeriodicTask]:
    tasks = PeriodicTask.objects.filter(task=TASK, name__startswith=NAME_PREFIX).only(*_FIELDS)
    if device_ids is None:
        return {t.name: t for t in tasks}
    if len(device_ids) <= MAX_PREFIX_TERMS:
        match = Q()
        for device_id in device_ids:
            match |= Q(name__startswith=f"{NAME_PREFIX}{device_id}:")
        return {t.name: t for t in tasks.filter(match)}
    wanted_ids = set(device_ids)
    return {t.name: t for t in tasks if _device_of(t.name) in wanted_ids}


def _device_of(name: str) -> int | None:
    try:
        return int(name.split(":")[1])
    except (IndexError, ValueError):
        return None


MAX_PREFIX_TERMS = 200
_FIELDS = ("id", "name", "task", "kwargs", "queue", "enabled", "interval_id")


def _schedules(intervals: set[int]) -> dict[int, IntervalSchedule]:
    found = {}
    for every in intervals:
        found[every], _ = IntervalSchedule.objects.get_or_create(
            every=every, period=IntervalSchedule.SECONDS
        )
    return found


@transaction.atomic
def sync_devices(device_ids: Iterable[int] | None = None) -> SyncCounts:
    """Make these devices' PeriodicTasks (all devices' with None) what their items want."""
    ids = None if device_ids is None else sorted(set(device_ids))
    wanted = wanted_tasks(ids)
    existing = _existing(ids)
    schedules = _schedules({w["interval"] for w in wanted.values()})
    counts = SyncCounts()
    now = timezone.now()
    new, changed = [], []
    for name, w in wanted.items():
        task = existing.get(name)
        fields = {
            "task": TASK,
            "kwargs": w["kwargs"],
            "queue": w["queue"],
            "enabled": True,
            "interval_id": schedules[w["interval"]].pk,
        }
        if task is None:
            offset = first_run_offset_s(w["device_id"], w["interval"])
            new.append(
                PeriodicTask(
                    name=name,
                    last_run_at=now + timedelta(seconds=offset - w["interval"]),
                    **fields,
                )
            )
        elif any(getattr(task, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(task, k, v)
            changed.append(task)
        else:
            counts.unchanged += 1
    gone = [t.pk for name, t in existing.items() if name not in wanted]
    if new:
        PeriodicTask.objects.bulk_create(new)
    if changed:
        PeriodicTask.objects.bulk_update(
            changed, ["task", "kwargs", "queue", "enabled", "interval"]
        )
    if gone:
        # No per-row signals (beat's marker would be bumped once per row): bumped below.
        PeriodicTask.objects.filter(pk__in=gone)._raw_delete(PeriodicTask.objects.db)
    counts.created, counts.updated, counts.deleted = len(new), len(changed), len(gone)
    if counts.changed:
        PeriodicTasks.update_changed()
    return counts


def sync_all() -> SyncCounts:
    """Repair any drift between items and beat's rows (``manage.py sync_schedules``)."""
    return sync_devices(None)


# --- deferred sync for bulk paths -----------------------------------------------------------

_local = threading.local()


def _pending() -> list[set[int]]:
    if not hasattr(_local, "stack"):
        _local.stack = []
    return _local.stack


@contextmanager
def deferred_sync() -> Iterator[set[int]]:
    """Collect the devices touched inside the block and sync each once at its end.

    Nested blocks defer to the outermost one. Use it around apply_template, imports,
    any loop of item or device saves.
    """
    stack = _pending()
    stack.append(set())
    try:
        yield stack[-1]
    except BaseException:
        stack.pop()
        raise
    touched = stack.pop()
    if stack:
        stack[-1] |= touched
    elif touched:
        sync_devices(touched)


def request_sync(device_id: int) -> None:
    """Sync one device now, or at the end of the enclosing deferred_sync()."""
    stack = _pending()
    if stack:
        stack[-1].add(device_id)
    else:
        sync_devices([device_id])
