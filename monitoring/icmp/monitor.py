"""The ICMP check of a batch of devices: one sweep, one sample batch, availability updates.

Called by the Celery batch task and the ``ping_devices`` command. The state machine itself
is ``availability.next_availability`` (pure); this module maps it onto Device rows:

* parents are processed before their children (by dependency depth), so a child in the same
  run sees its parent's fresh state and turns unreachable rather than down;
* each device moves by a conditional UPDATE on (status, icmp_failures): when two workers
  check the same device at once, only one records the transition;
* an AvailabilityEvent row is written in the same transaction as the winning UPDATE.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from monitoring.choices import DeviceStatus
from monitoring.icmp.availability import next_availability
from monitoring.icmp.results import HostResult
from monitoring.icmp.sweep import sweep_sync
from monitoring.metrics.samples import Sample, label_set
from monitoring.models import AvailabilityEvent, Device
from wardflux.selfmetrics import observe_icmp

__all__ = [
    "CheckRun",
    "DeviceCheck",
    "build_samples",
    "check_devices",
    "dependency_depths",
    "depths_from_parents",
    "write_samples",
]

logger = logging.getLogger(__name__)

MAX_DEPTH = 32  # parent chains longer than this (or cycles) are cut here
PARENT_DOWN = {DeviceStatus.DOWN, DeviceStatus.UNREACHABLE}
RTT_STATS = (("min", "min_ms"), ("avg", "avg_ms"), ("max", "max_ms"))


@dataclass(slots=True)
class DeviceCheck:
    device_id: int
    name: str
    ip: str
    result: HostResult
    previous: str
    status: str
    failures: int
    is_transition: bool = False  # this worker recorded a state change
    is_lost_race: bool = False  # another worker changed the row first; nothing written


@dataclass(slots=True)
class CheckRun:
    started: datetime
    duration_s: float
    checks: list[DeviceCheck] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    write_error: str = ""  # why the sample batch was not stored, empty when it was

    @property
    def transitions(self) -> list[DeviceCheck]:
        return [c for c in self.checks if c.is_transition]

    def summary(self) -> dict:
        return {
            "devices": len(self.checks),
            "up": sum(c.result.is_alive for c in self.checks),
            "transitions": len(self.transitions),
            "samples": len(self.samples),
            "duration_s": round(self.duration_s, 3),
            "write_error": self.write_error,
        }


def dependency_depths(device_ids: list[int]) -> dict[int, int]:
    """Depth of each device in the parent tree (0: no parent), following parents outside
    the list too. One query per level, bounded by MAX_DEPTH."""
    parent_of: dict[int, int | None] = {}
    wanted = set(device_ids)
    for _ in range(MAX_DEPTH + 1):
        missing = wanted - parent_of.keys()
        if not missing:
            break
        parent_of.update(Device.objects.filter(pk__in=missing).values_list("pk", "parent_id"))
        parent_of.update(dict.fromkeys(missing - parent_of.keys()))  # deleted meanwhile
        wanted = {p for p in parent_of.values() if p is not None}
    return depths_from_parents(parent_of, device_ids)


def depths_from_parents(parent_of: dict[int, int | None], device_ids) -> dict[int, int]:
    """Pure part of dependency_depths; a cycle or an over-long chain stops at MAX_DEPTH."""
    depths: dict[int, int] = {}
    for device_id in device_ids:
        depth, node, seen = 0, parent_of.get(device_id), {device_id}
        while node is not None and node not in seen and depth < MAX_DEPTH:
            seen.add(node)
            depth += 1
            node = parent_of.get(node)
        depths[device_id] = depth
    return depths


def build_samples(device: Device, result: HostResult, timestamp: float) -> list[Sample]:
    """ping_rtt_ms{stat}, ping_jitter_ms, ping_loss (percent), ping_up (0/1).

    RTT and jitter are absent, not zero, when too few replies came back to compute them.
    """
    labels = label_set(device=device.name, ip=str(device.ip_address))
    samples = []
    for stat, attr in RTT_STATS:
        value = getattr(result, attr)
        if value is not None:
            samples.append(labels.sample("ping_rtt_ms", timestamp, value, stat=stat))
    if result.jitter_ms is not None:
        samples.append(labels.sample("ping_jitter_ms", timestamp, result.jitter_ms))
    samples.append(labels.sample("ping_loss", timestamp, result.loss_pct))
    samples.append(labels.sample("ping_up", timestamp, 1.0 if result.is_alive else 0.0))
    return samples


def write_samples(samples: list[Sample]) -> None:
    """Hand one batch to the metrics store (imported here: it lives in its own module and
    spools to disk when its back end is down)."""
    from monitoring.metrics.store import write

    write(samples)


def _reason(result: HostResult, failures: int, to_state: str, parent: Device | None) -> str:
    if to_state == DeviceStatus.UP:
        return f"echo reply: {result.received}/{result.sent} answered, avg {result.avg_ms:.2f} ms"
    if to_state == DeviceStatus.UNREACHABLE and parent is not None:
        return f"{failures} consecutive failed checks while parent {parent.name} is {parent.status}"
    detail = f"; {result.errors[-1]}" if result.errors else ""
    return f"{failures} consecutive failed checks ({result.loss_pct:.0f}% loss{detail})"[:255]


def _apply(
    device: Device, result: HostResult, parent: Device | None, now: datetime, down_after: int
) -> tuple[DeviceCheck, AvailabilityEvent | None]:
    """Move one device's row; return its check and the (unsaved) event of a transition.

    Runs inside the caller's transaction: the event rows are inserted in one batch before
    it commits, so a transition and its history row are never seen apart.
    """
    is_parent_down = parent is not None and parent.status in PARENT_DOWN
    step = next_availability(
        device.status, device.icmp_failures, result.is_alive, down_after, is_parent_down
    )
    check = DeviceCheck(
        device.pk, device.name, str(device.ip_address), result, device.status, step.state,
        step.consecutive_failures,
    )  # fmt: skip
    if not step.is_transition and step.consecutive_failures == device.icmp_failures:
        return check, None  # the steady state (up and answering) costs no write
    changes = {"icmp_failures": step.consecutive_failures}
    if step.is_transition:
        changes |= {"status": step.state, "status_changed": now}
    won = Device.objects.filter(
        pk=device.pk, status=device.status, icmp_failures=device.icmp_failures
    ).update(**changes)
    if not won:  # another worker moved this row first: its view wins, ours is dropped
        check.is_lost_race = True
        check.status, check.failures = device.status, device.icmp_failures
        return check, None
    event = None
    if step.is_transition:
        event = AvailabilityEvent(
            device_id=device.pk,
            from_state=device.status,
            to_state=step.state,
            at=now,
            reason=_reason(result, step.consecutive_failures, step.state, parent),
        )
        check.is_transition = True
    device.status, device.icmp_failures = step.state, step.consecutive_failures
    return check, event


def check_devices(device_ids: list[int], write: bool = True) -> CheckRun:
    """Ping the devices in one sweep, update their availability, write their samples.

    Uses ICMP_COUNT, ICMP_SPACING_MS, ICMP_TIMEOUT_MS, ICMP_RATE_PPS and ICMP_DOWN_AFTER.
    Raises ClearError when this process can open no ICMP socket (then no device state is
    touched). A failing metrics store does not stop availability: its error is kept in
    ``write_error``.
    """
    started, clock = timezone.now(), time.monotonic()
    depths = dependency_depths(list(device_ids))
    devices = sorted(
        Device.objects.filter(pk__in=depths).select_related("parent"),
        key=lambda d: (depths[d.pk], d.pk),
    )
    run = CheckRun(started=started, duration_s=0.0)
    if not devices:
        return run
    address_of = {d.pk: str(ipaddress.ip_address(d.ip_address)) for d in devices}
    results = sweep_sync(
        address_of.values(),
        count=settings.ICMP_COUNT,
        interval_ms=settings.ICMP_SPACING_MS,
        timeout_s=settings.ICMP_TIMEOUT_MS / 1000,
        rate_pps=settings.ICMP_RATE_PPS,
    )
    timestamp = started.timestamp()
    fresh: dict[int, Device] = {}  # devices already processed in this run, by id
    events: list[AvailabilityEvent] = []
    now = timezone.now()
    with transaction.atomic():  # one commit per run, not one per device
        for device in devices:
            result = results[address_of[device.pk]]
            if not result.is_complete:
                continue  # the sweep was cut short for this host: no verdict, no figures
            run.samples.extend(build_samples(device, result, timestamp))
            parent = fresh.get(device.parent_id, device.parent)
            check, event = _apply(device, result, parent, now, settings.ICMP_DOWN_AFTER)
            fresh[device.pk] = device
            run.checks.append(check)
            if event is not None:
                events.append(event)
        AvailabilityEvent.objects.bulk_create(events)
    if write and run.samples:
        try:
            write_samples(run.samples)
        except Exception as err:  # noqa: BLE001 - availability must not depend on the store
            run.write_error = f"{type(err).__name__}: {err}"
            logger.warning("ICMP samples not stored: %s", run.write_error)
    run.duration_s = time.monotonic() - clock
    observe_icmp(len(run.checks), sum(not c.result.is_alive for c in run.checks))
    return run
