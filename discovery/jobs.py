"""Discovery jobs: create, run (with progress in the database) and cancel.

``run_job`` is what the Celery task and the ``discover`` command call. The scan runs in a
helper thread with its own event loop; this thread keeps the database side: it writes the
progress counters every ``FLUSH_S`` and polls the job's state, so a cancel made by anyone
(the API, the admin, another worker) stops the scan within about a second.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from monitoring.models import Device, SNMPCredential

from .choices import FINISHED_STATES, AutoAdd, JobState
from .classifier import classify, target_for
from .models import DiscoveryJob, DiscoveryResult, DiscoveryRule
from .scanner import HostFound, ScanOptions, ScanProgress, expand, reverse_name, scan

__all__ = ["cancel_job", "create_job", "job_from_rule", "run_job", "scan_options"]

log = logging.getLogger(__name__)
FLUSH_S = 0.5
JOIN_BOUND_S = 30.0  # after a stop, the scan thread has this long to wind down


def create_job(
    ranges: Sequence[str],
    exclude: Sequence[str] = (),
    credential_ids: Sequence[int] = (),
    *,
    rule: DiscoveryRule | None = None,
    auto_add: str = AutoAdd.OFF,
    site: str = "",
    poller_group: str = "default",
    requested_by=None,
) -> DiscoveryJob:
    """A queued job. Raises RangeError (with the field) before anything is stored."""
    addresses = expand(ranges, exclude)
    return DiscoveryJob.objects.create(
        rule=rule,
        ranges=list(ranges),
        exclude=list(exclude),
        credential_ids=list(credential_ids),
        auto_add=auto_add,
        site=site,
        poller_group=poller_group,
        total=len(addresses),
        requested_by=requested_by,
    )


def job_from_rule(rule: DiscoveryRule, requested_by=None) -> DiscoveryJob:
    return create_job(
        rule.ranges,
        rule.exclude,
        rule.credential_ids(),
        rule=rule,
        auto_add=rule.auto_add,
        site=rule.site,
        poller_group=rule.poller_group,
        requested_by=requested_by,
    )


def cancel_job(job_id: int) -> bool:
    """Cancel a queued or running job; False if it had already finished."""
    won = (
        DiscoveryJob.objects.filter(pk=job_id)
        .exclude(state__in=FINISHED_STATES)
        .update(state=JobState.CANCELLED, finished_at=timezone.now())
    )
    return bool(won)


def scan_options(**overrides) -> ScanOptions:
    base = {
        "reverse_dns": getattr(settings, "DISCOVERY_REVERSE_DNS", True),
        "rate_pps": settings.ICMP_RATE_PPS,
    }
    return ScanOptions(**(base | overrides))


def run_job(
    job_id: int,
    options: ScanOptions | None = None,
    resolver: Callable[[str], str] = reverse_name,
    on_progress: Callable[[dict[str, int]], None] | None = None,
) -> DiscoveryJob:
    """Run a queued job to its end (done, failed or cancelled) and return it."""
    won = DiscoveryJob.objects.filter(pk=job_id, state=JobState.QUEUED).update(
        state=JobState.RUNNING, started_at=timezone.now()
    )
    job = DiscoveryJob.objects.get(pk=job_id)
    if not won:
        return job  # cancelled before it started, or another worker has it
    try:
        addresses = expand(job.ranges, job.exclude)
        found = _scan_with_progress(
            job, addresses, options or scan_options(), resolver, on_progress
        )
        _record(job, found)
    except Exception as err:  # the job records why; the worker carries on
        log.exception("discovery job %s failed", job_id)
        DiscoveryJob.objects.filter(pk=job_id, state=JobState.RUNNING).update(
            state=JobState.FAILED, finished_at=timezone.now(), error=str(err)[:2000]
        )
        job.refresh_from_db()
        return job
    DiscoveryJob.objects.filter(pk=job_id, state=JobState.RUNNING).update(
        state=JobState.DONE, finished_at=timezone.now()
    )
    job.refresh_from_db()
    if job.state == JobState.DONE and job.auto_add != AutoAdd.OFF:
        from .adding import add_results

        results = job.results.filter(device__isnull=True)
        add_results(
            results,
            site=job.site,
            poller_group=job.poller_group,
            apply_templates=job.auto_add == AutoAdd.ADD_AND_TEMPLATE,
        )
    return job


def _credentials(ids: Sequence[int]) -> list:
    by_id = SNMPCredential.objects.in_bulk(list(ids))
    return [target_for(by_id[i]) for i in ids if i in by_id]


def _scan_with_progress(job, addresses, options, resolver, on_progress) -> list[HostFound]:
    progress = ScanProgress(total=len(addresses))
    stop = threading.Event()
    outcome: dict[str, object] = {}
    credentials = _credentials(job.credential_ids)

    def work() -> None:
        try:
            outcome["found"] = asyncio.run(
                scan(addresses, credentials, progress, stop, options, resolver)
            )
        except BaseException as err:  # re-raised in the job's thread below
            outcome["error"] = err

    thread = threading.Thread(target=work, name=f"discovery-job-{job.pk}", daemon=True)
    thread.start()
    last: dict[str, int] = {}
    while thread.is_alive():
        thread.join(FLUSH_S)
        last = _flush(job.pk, progress, last, on_progress)
        state = DiscoveryJob.objects.filter(pk=job.pk).values_list("state", flat=True).first()
        if state != JobState.RUNNING:
            stop.set()
            thread.join(JOIN_BOUND_S)
            break
    _flush(job.pk, progress, last, on_progress)
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("found", [])


def _flush(job_id: int, progress: ScanProgress, last: dict, on_progress) -> dict[str, int]:
    now = progress.snapshot()
    if now != last:
        DiscoveryJob.objects.filter(pk=job_id).update(**now)
        if on_progress is not None:
            on_progress(now)
    return now


@transaction.atomic
def _record(job: DiscoveryJob, found: list[HostFound]) -> list[DiscoveryResult]:
    existing = _devices_by_ip([h.address for h in found])
    rows = []
    for host in found:
        answer = host.answer
        kind = classify(answer.sys_object_id, answer.sys_descr) if answer else classify("", "")
        rows.append(
            DiscoveryResult(
                job=job,
                ip_address=host.address,
                dns_name=host.dns_name,
                rtt_ms=host.rtt_ms,
                snmp=answer is not None,
                credential_id=answer.credential_id if answer else None,
                sys_name=answer.sys_name if answer else "",
                sys_descr=answer.sys_descr if answer else "",
                sys_object_id=answer.sys_object_id if answer else "",
                vendor=kind.vendor,
                device_type=kind.device_type,
                template=kind.template,
                device=existing.get(host.address),
            )
        )
    return DiscoveryResult.objects.bulk_create(rows, batch_size=1000)


def _devices_by_ip(addresses: list[str]) -> dict[str, Device]:
    devices = Device.objects.filter(ip_address__in=addresses).order_by("pk")
    found: dict[str, Device] = {}
    for device in devices:
        found.setdefault(device.ip_address, device)
    return found
