"""Celery tasks of the polling engine: thin, ids in, plain data out."""

from celery import shared_task

from . import polling


@shared_task(acks_late=True, ignore_result=True)
def poll_device(device_id: int, interval: int | None = None) -> dict:
    """Poll one device's items of one interval (beat sends one per PeriodicTask)."""
    results = polling.poll_many([device_id], interval)
    if not results:  # deleted since beat sent it; its schedule goes with it
        return {"ok": False, "skipped": "no such device", "samples": 0}
    result = results[0]
    written = polling.write_samples(result.samples) if result.samples else 0
    return {"ok": result.ok, "skipped": result.skipped, "samples": written}


@shared_task(acks_late=True, ignore_result=True)
def poll_devices(device_ids: list[int], interval: int | None = None) -> dict:
    """Poll many devices in one process at once (one asyncio loop): for batch senders."""
    results = polling.poll_many(device_ids, interval)
    samples = [s for r in results for s in r.samples]
    written = polling.write_samples(samples) if samples else 0
    return {"ok": sum(r.ok for r in results), "polled": len(results), "samples": written}
