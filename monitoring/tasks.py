"""Celery tasks of the polling engine: thin, ids in, plain data out."""

import logging

from celery import shared_task

from . import polling

log = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, ignore_result=True)
def poll_device(self, device_id: int, interval: int | None = None) -> dict:
    """Poll one device's items of one interval (beat sends one per PeriodicTask).

    The log line names the worker (its node name, e.g. ``site-a@host``) so an operator
    can see which poller group's worker polled which device.
    """
    worker = self.request.hostname or ""
    results = polling.poll_many([device_id], interval)
    if not results:  # deleted since beat sent it; its schedule goes with it
        return {"device_id": device_id, "ok": False, "skipped": "no such device", "samples": 0}
    result = results[0]
    written = polling.write_samples(result.samples) if result.samples else 0
    log.info(
        "poll device=%d interval=%s ok=%s skipped=%s samples=%d worker=%s",
        device_id, interval, result.ok, result.skipped or "-", written, worker,
    )  # fmt: skip
    return {
        "device_id": device_id,
        "ok": result.ok,
        "skipped": result.skipped,
        "samples": written,
        "worker": worker,
    }


@shared_task(acks_late=True, ignore_result=True)
def poll_devices(device_ids: list[int], interval: int | None = None) -> dict:
    """Poll many devices in one process at once (one asyncio loop): for batch senders."""
    results = polling.poll_many(device_ids, interval)
    samples = [s for r in results for s in r.samples]
    written = polling.write_samples(samples) if samples else 0
    return {"ok": sum(r.ok for r in results), "polled": len(results), "samples": written}
