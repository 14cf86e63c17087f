"""Poll devices: few PDUs, many devices in flight, results as samples.

``poll_many(device_ids, interval)`` loads the devices' items of that interval (all
enabled items when interval is None), asks every device at once on one asyncio
loop, each under its own deadline, then computes rates and records the outcome.

Why asyncio and not a thread pool: the client is gufo-snmp's asyncio session, whose
sockets cost nothing while they wait, so one event loop keeps hundreds of devices in
flight in one process; a dead device holds only its own coroutine until its deadline.
A thread pool over the same client needs one thread and one event loop per device in
flight. bench/snmp_poll.py measures both: on the 2-core test machine (50 targets on
one snmpd) they were within noise of each other (40-54k varbinds per CPU-second each),
so the choice rests on cost per device in flight and on a dead device costing only
its own coroutine.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field

from django.conf import settings

from wardflux.selfmetrics import observe_poll

from . import counter_state, poll_state
from .metrics.samples import Sample, label_set
from .models import Device, MonitoringItem, MonitoringProfile
from .schedule import _locally_polled_check
from .snmp import MaxRepetitions, SnmpError, SnmpSession, SnmpTarget
from .snmp.mapping import SYS_UPTIME_OID, ItemSpec, decode_text, interpret, rate_samples

log = logging.getLogger(__name__)

# One per worker process: what max-repetitions worked for each agent is remembered.
MAX_REPETITIONS = MaxRepetitions()
DEADLINE_SHARE = 0.9  # a poll must end before the next one of its interval is due
SHOWN_ROWS = 50  # rows of a column shown by poll-now and the command
SILENT_HEAD_START_S = 1.0  # answering devices go this far ahead of ones that failed last time
LAUNCH_BATCH = 20  # requests started per turn of the event loop


@dataclass
class PollJob:
    device_id: int
    name: str
    ip: str
    interval: int | None
    items: list[ItemSpec]
    target: SnmpTarget | None = None
    deadline_s: float = 60.0
    lock_token: str | None = None
    known_silent: bool = False  # its last poll failed: started after the answering ones
    error: str = ""  # a configuration error found before any PDU
    poller_group: str = "default"
    scheduled_intervals: tuple[int, ...] = ()  # poll-now: whose counter states it reads


@dataclass
class RawPoll:
    scalars: dict[str, object] = field(default_factory=dict)
    columns: dict[str, dict[str, object]] = field(default_factory=dict)
    times_ms: dict[str, int] = field(default_factory=dict)
    elapsed_ms: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    answered: bool = False
    pdus: int = 0
    duration_s: float = 0.0


@dataclass
class PollResult:
    device_id: int
    device: str
    ip: str
    interval: int | None
    ok: bool = False
    error: str = ""
    skipped: str = ""  # why it did not run: "disabled", "backed off", "already running"
    duration_s: float = 0.0
    samples: list[Sample] = field(default_factory=list)
    items: list[dict] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "device_id": self.device_id,
            "device": self.device,
            "ip": self.ip,
            "interval": self.interval,
            "ok": self.ok,
            "error": self.error,
            "skipped": self.skipped,
            "duration_s": round(self.duration_s, 4),
            "items": self.items,
            "samples": [
                {"name": s.name, "labels": s.labels, "timestamp": s.timestamp, "value": s.value}
                for s in self.samples
            ],
            "counts": self.counts,
        }


def target_for(device: Device) -> SnmpTarget:
    return target_from(device.snmp_credential, device.ip_address)


def target_from(c, address: str) -> SnmpTarget:
    """An SnmpTarget from an SNMPCredential (saved or not) and an address."""
    return SnmpTarget(
        address=address,
        port=c.port,
        version=c.version,
        community=c.community,
        username=c.username,
        security_level=c.security_level,
        auth_protocol=c.auth_protocol or None,
        auth_key=c.auth_key,
        priv_protocol=c.priv_protocol or None,
        priv_key=c.priv_key,
        timeout_s=c.timeout,
        retries=c.retries,
        context_name=c.context,
    )


def deadline_for(interval: int | None) -> float:
    cap = float(settings.SNMP_POLL_DEADLINE_S)
    return cap if interval is None else min(cap, interval * DEADLINE_SHARE)


def lock_ttl_for(job: PollJob) -> float:
    """Long enough to cover the poll; for a scheduled poll shorter than its interval, so
    a worker killed mid-poll (its lock left behind) does not cost the device its next poll."""
    ttl = job.deadline_s + 5
    return ttl if job.interval is None else max(1.0, min(ttl, job.interval - 1.0))


def prepare(
    device_ids: list[int], interval: int | None, force: bool
) -> tuple[list[PollJob], list[PollResult]]:
    """Load devices and items as plain data; take each (device, interval) lock."""
    devices = Device.objects.filter(pk__in=device_ids).select_related("snmp_credential")
    items = MonitoringItem.objects.filter(device_id__in=device_ids, enabled=True).exclude(oid="")
    if interval is not None:
        items = items.filter(interval=interval)
    by_device: dict[int, list[ItemSpec]] = {}
    intervals: dict[int, set[int]] = {}
    for i in items.values("pk", "device_id", "key", "oid", "value_type", "interval"):
        spec = ItemSpec(i["key"], i["oid"].lstrip("."), i["value_type"], i["pk"])
        by_device.setdefault(i["device_id"], []).append(spec)
        intervals.setdefault(i["device_id"], set()).add(i["interval"])
    jobs, skipped = [], []
    # A poll beat sent before a switch to zabbix mode (or a flip in hybrid) does nothing.
    is_local = _locally_polled_check(MonitoringProfile.current_mode())
    for d in devices:
        job = PollJob(d.pk, d.name, d.ip_address, interval, by_device.get(d.pk, []))
        job.deadline_s = deadline_for(interval)
        job.poller_group = d.poller_group
        job.known_silent = d.snmp_failures > 0
        job.scheduled_intervals = tuple(sorted(intervals.get(d.pk, ())))
        why = _skip_reason(d, interval, force)
        if not why and not force and not is_local(d):
            why = "polled by Zabbix"
        if not why:
            job.lock_token = poll_state.acquire_lock(d.pk, interval, lock_ttl_for(job))
            why = "" if job.lock_token else "already running"
        if why:
            skipped.append(PollResult(d.pk, d.name, d.ip_address, interval, skipped=why))
            continue
        try:
            job.target = target_for(d) if d.snmp_credential_id else None
            job.error = "" if job.target else "no SNMP credential"
        except (SnmpError, KeyError, ValueError) as exc:
            job.error = f"credential: {exc}"
        jobs.append(job)
    return jobs, skipped


def _skip_reason(device: Device, interval: int | None, force: bool) -> str:
    if force:
        return ""
    if not device.enabled:
        return "disabled"
    every = interval or 60
    if poll_state.is_backed_off(device.snmp_failures, device.last_polled, every):
        return "backed off"
    return ""


async def fetch(job: PollJob) -> RawPoll:
    """Ask one device for its items: scalars in GETs of SNMP_MAX_OIDS_PER_GET, columns
    by GETBULK (GETNEXT on v1). The first GET goes alone: a dead device costs one
    timeout, not one per PDU."""
    raw = RawPoll()
    start = time.monotonic()
    scalars = list(dict.fromkeys(i.oid for i in job.items if not i.is_column))
    columns = list(dict.fromkeys(i.oid for i in job.items if i.is_column))
    if any(i.value_type == "counter" or i.is_column for i in job.items):
        scalars = scalars if SYS_UPTIME_OID in scalars else [SYS_UPTIME_OID, *scalars]
    per_get = max(1, settings.SNMP_MAX_OIDS_PER_GET)
    chunks = [scalars[n : n + per_get] for n in range(0, len(scalars), per_get)]
    session = SnmpSession(
        job.target,
        max_in_flight=settings.SNMP_MAX_IN_FLIGHT_PER_DEVICE,
        max_repetitions=MAX_REPETITIONS,
    )
    requests: list = []
    try:
        async with session as s:
            requests = [_get(s, raw, c) for c in chunks]
            requests += [_walk(s, raw, columns)] if columns else []
            if requests:
                await requests[0]
                for r in await asyncio.gather(*requests[1:], return_exceptions=True):
                    if isinstance(r, SnmpError):
                        raw.errors.append(str(r))
                    elif isinstance(r, BaseException):
                        raise r
    except SnmpError as exc:
        raw.errors.append(str(exc))
    finally:
        for coro in requests:
            coro.close()  # those never started after a failed first request
        raw.pdus = session.requests
    raw.duration_s = time.monotonic() - start
    return raw


async def _get(session: SnmpSession, raw: RawPoll, oids: list[str]) -> None:
    t0, w0 = time.monotonic(), time.time()
    found = await session.get(oids)
    raw.answered = True
    t_ms = int((w0 + time.time()) * 500)  # mid-request, ms
    elapsed = (time.monotonic() - t0) * 1000
    raw.scalars.update(found)
    for oid in oids:
        raw.times_ms[oid], raw.elapsed_ms[oid] = t_ms, elapsed


async def _walk(session: SnmpSession, raw: RawPoll, columns: list[str]) -> None:
    """All columns at once: a table's columns share each GETBULK (see SnmpSession)."""
    t0, w0 = time.monotonic(), time.time()
    found = await session.walk_columns(columns)
    raw.answered = True
    t_ms = int((w0 + time.time()) * 500)
    elapsed = (time.monotonic() - t0) * 1000
    raw.columns.update(found)
    for column in columns:
        raw.times_ms[column], raw.elapsed_ms[column] = t_ms, elapsed


async def _fetch_within(job: PollJob) -> RawPoll:
    if job.error:
        return RawPoll(errors=[job.error])
    start = time.monotonic()
    try:
        return await asyncio.wait_for(fetch(job), timeout=job.deadline_s)
    except TimeoutError:
        raw = RawPoll(errors=[f"poll deadline of {job.deadline_s:.0f}s exceeded"])
        raw.duration_s = time.monotonic() - start
        return raw


async def fetch_all(jobs: list[PollJob]) -> list[RawPoll]:
    """Every job's RawPoll, in the order of ``jobs``.

    Devices whose last poll failed start only once the others have answered (or after
    SILENT_HEAD_START_S): starting a request costs CPU on this one loop (about 0.4 ms
    a device here), so 1,000 dead devices started first held 100 live ones' answers
    back by ~0.4 s. Those start LAUNCH_BATCH at a time with a turn of the loop between,
    so replies of answering devices that are still out are read while they start.
    """
    answering = [n for n, j in enumerate(jobs) if not j.known_silent]
    silent = [n for n, j in enumerate(jobs) if j.known_silent]
    tasks: dict[int, asyncio.Task] = {}
    await _launch(jobs, answering, tasks, 0.0, batch=len(jobs))
    if silent:
        started = time.monotonic()
        if answering:
            await asyncio.wait([tasks[n] for n in answering], timeout=SILENT_HEAD_START_S)
        await _launch(jobs, silent, tasks, time.monotonic() - started, batch=LAUNCH_BATCH)
    return [await tasks[n] for n in range(len(jobs))]


async def _launch(
    jobs: list[PollJob],
    order: list[int],
    tasks: dict[int, asyncio.Task],
    late_s: float,
    batch: int,
) -> None:
    for count, n in enumerate(order, 1):
        jobs[n].deadline_s = max(0.1, jobs[n].deadline_s - late_s)  # same end as the rest
        tasks[n] = asyncio.ensure_future(_fetch_within(jobs[n]))
        if count % batch == 0:
            await asyncio.sleep(0)


def poll_many(
    device_ids: list[int], interval: int | None = None, *, force: bool = False
) -> list[PollResult]:
    """Poll these devices at once; one PollResult per device (skipped ones included)."""
    jobs, results = prepare(list(device_ids), interval, force)
    try:
        raws = asyncio.run(fetch_all(jobs)) if jobs else []
        results += finish_all(jobs, raws)
    finally:
        for job in jobs:
            poll_state.release_lock(job.device_id, interval, job.lock_token)
    return results


def poll_device(device_id: int, interval: int | None = None, *, force: bool = False) -> PollResult:
    results = poll_many([device_id], interval, force=force)
    if not results:
        raise Device.DoesNotExist(f"device {device_id} does not exist")
    return results[0]


def _state_keys(job: PollJob) -> list[str]:
    return counter_state.read_keys(job.device_id, job.interval, job.scheduled_intervals)


def finish_all(jobs: list[PollJob], raws: list[RawPoll]) -> list[PollResult]:
    """finish() for a batch: the counter states of all its devices in one cache read
    and one cache write."""
    loaded = counter_state.load(k for job in jobs for k in _state_keys(job))
    to_save: dict[str, counter_state.DeviceStates] = {}
    try:
        return [finish(job, raw, loaded, to_save) for job, raw in zip(jobs, raws, strict=True)]
    finally:
        counter_state.save(to_save, jobs[0].interval if jobs else None)


def finish(
    job: PollJob,
    raw: RawPoll,
    loaded: dict[str, counter_state.DeviceStates] | None = None,
    to_save: dict[str, counter_state.DeviceStates] | None = None,
) -> PollResult:
    """Turn raw answers into samples; record the outcome on the device.

    ``loaded``/``to_save``: counter states read for, and to be written after, a batch
    (finish_all); without them this poll reads and writes its own."""
    result = PollResult(job.device_id, job.name, job.ip, job.interval)
    result.duration_s = raw.duration_s
    base = label_set(device=job.name, ip=job.ip)
    now = time.time()
    result.ok = raw.answered
    result.error = "; ".join(dict.fromkeys(raw.errors))
    if result.ok:
        result.samples, result.counts, fields, computed = _compute(job, raw, loaded, to_save)
        # Partly answered: keep the samples, show what failed.
        poll_state.record_success(job.device_id, fields, error=result.error)
    else:
        result.error = result.error or "no answer"
        poll_state.record_failure(job.device_id, result.error)
    result.samples.append(base.sample("snmp_poll_ok", now, 1.0 if result.ok else 0.0))
    result.samples.append(base.sample("snmp_poll_duration_seconds", now, raw.duration_s))
    result.items = _shown_items(job, raw, computed if result.ok else {})
    varbinds = len(raw.scalars) + sum(len(c) for c in raw.columns.values())
    observe_poll(job.poller_group, result.ok, raw.duration_s, varbinds)
    return result


def _compute(
    job: PollJob, raw: RawPoll, loaded: dict | None, to_save: dict | None
) -> tuple[list[Sample], dict, dict, dict]:
    keys = {i.key for i in job.items}
    known = {}
    if not keys & {"ifName", "ifDescr"}:
        known = poll_state.known_interface_names(job.device_id)
    device = {"name": job.name, "ip": job.ip}
    out = interpret(device, job.items, raw.scalars, raw.columns, raw.times_ms, known)
    state_keys = _state_keys(job)
    if loaded is None:
        loaded = counter_state.load(state_keys)
    rates, counts = rate_samples(out, counter_state.merged(loaded, state_keys))
    current = {read.name: read.current for read in out.counters}
    if to_save is None:
        counter_state.save({state_keys[0]: current}, job.interval)
    else:
        to_save[state_keys[0]] = current
    poll_state.save_interfaces(job.device_id, out.interfaces)
    by_key = {i.key: i.item_id for i in job.items if not i.is_column and i.item_id}
    poll_state.save_last_values(
        {by_key[k]: v for k, v in out.computed.items() if k in by_key and not isinstance(v, dict)}
    )
    counts = {str(k): v for k, v in counts.items()}
    counts["pdus"] = raw.pdus
    return out.samples + rates, counts, out.device_fields, out.computed


def _shown_items(job: PollJob, raw: RawPoll, computed: dict) -> list[dict]:
    shown = []
    for item in job.items:
        if item.is_column:
            rows = raw.columns.get(item.oid)
            value = (
                None if rows is None else {k: _show(v) for k, v in list(rows.items())[:SHOWN_ROWS]}
            )
        else:
            value = _show(raw.scalars.get(item.oid))
        shown.append(
            {
                "key": item.key,
                "oid": item.oid,
                "value_type": item.value_type,
                "raw": value,
                "computed": computed.get(item.key),
                "elapsed_ms": round(raw.elapsed_ms.get(item.oid, 0.0), 2),
            }
        )
    return shown


def _show(value: object) -> object:
    if isinstance(value, bytes):
        text = decode_text(value)
        return text if text.isprintable() else value.hex()
    return value


def write_samples(samples: list[Sample]) -> int:
    """Write to the metrics store (monitoring.metrics.store.write), imported lazily: the
    store is built on another branch. Returns how many were handed over."""
    try:
        from monitoring.metrics.store import write
    except ImportError:
        log.warning("metrics store not installed: %d samples not written", len(samples))
        return 0
    write(samples)
    return len(samples)
