"""ICMP Celery tasks: thin. Beat starts ``icmp_dispatch``; it fans out one task per batch."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.signals import worker_ready

from monitoring.icmp.dispatch import batch_lock, plan_batches
from monitoring.icmp.monitor import check_devices

logger = logging.getLogger(__name__)


@shared_task(name="monitoring.icmp.tasks.icmp_dispatch")
def icmp_dispatch() -> int:
    """Enqueue one ``icmp_check_batch`` per ICMP_BATCH_SIZE devices; return the count."""
    batches = plan_batches()
    for device_ids in batches:
        icmp_check_batch.delay(device_ids)
    return len(batches)


@shared_task(name="monitoring.icmp.tasks.icmp_check_batch")
def icmp_check_batch(device_ids: list[int]) -> dict:
    with batch_lock(device_ids) as acquired:
        if not acquired:
            logger.info(
                "ICMP batch of %d devices still running; not started twice", len(device_ids)
            )
            return {"skipped": True, "devices": len(device_ids)}
        run = check_devices(device_ids)
    summary = run.summary()
    logger.info("ICMP batch done: %s", summary)
    return summary


@worker_ready.connect
def log_icmp_socket_mode(**kwargs) -> None:
    from monitoring.icmp.health import describe_socket_modes

    description = describe_socket_modes()
    level = logging.WARNING if "unavailable" in description else logging.INFO
    logger.log(level, "ICMP socket mode: %s", description)
