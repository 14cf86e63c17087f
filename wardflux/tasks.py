"""Housekeeping tasks of the whole installation."""

import time

from celery import shared_task
from django.core.cache import cache

HEARTBEAT_KEY = "wardflux:worker-heartbeat"


@shared_task(name="wardflux.tasks.heartbeat", ignore_result=True, acks_late=False)
def heartbeat() -> None:
    """Run by a worker every HEARTBEAT_INTERVAL_S, sent by beat: proves both are alive.

    On the embedded filesystem broker Celery's remote control (ping) is not available,
    so health reads this instead.
    """
    cache.set(HEARTBEAT_KEY, time.time(), timeout=None)
