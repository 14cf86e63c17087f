"""Housekeeping tasks of the whole installation."""

import time

from celery import shared_task
from django.core.cache import cache

HEARTBEAT_KEY = "wardflux:worker-heartbeat"
BEAT_TICK_KEY = "wardflux:beat-tick"


@shared_task(bind=True, name="wardflux.tasks.heartbeat", ignore_result=True, acks_late=False)
def heartbeat(self) -> None:
    """Sent by beat every HEARTBEAT_INTERVAL_S and run by any worker: proves both alive.

    On the embedded filesystem broker Celery's remote control (ping) is not available, so
    health reads these stamps instead. Beat's send time travels in the message header.
    """
    now = time.time()
    # Custom message headers become request attributes (stamped in wardflux/celery.py).
    sent_at = getattr(self.request, "wardflux_sent_at", None)
    stamps = {HEARTBEAT_KEY: now}
    if sent_at is not None:
        stamps[BEAT_TICK_KEY] = float(sent_at)
    cache.set_many(stamps, timeout=None)
