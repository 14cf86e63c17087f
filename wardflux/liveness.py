"""Health checks for the broker, the workers and beat, and the heartbeat schedule."""

import time

from django.core.cache import cache

from .broker import is_filesystem_broker, ping_broker
from .celery import app
from .health import health_check
from .tasks import BEAT_TICK_KEY, HEARTBEAT_KEY

HEARTBEAT_INTERVAL_S = 15
HEARTBEAT_TASK_NAME = "wardflux:heartbeat"


def ensure_heartbeat_schedule() -> None:
    """The beat entry that sends the heartbeat; idempotent (called after migrate)."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    every, _ = IntervalSchedule.objects.get_or_create(
        every=HEARTBEAT_INTERVAL_S, period=IntervalSchedule.SECONDS
    )
    PeriodicTask.objects.update_or_create(
        name=HEARTBEAT_TASK_NAME,
        defaults={
            "task": "wardflux.tasks.heartbeat",
            "interval": every,
            "queue": "celery",
            "enabled": True,
        },
    )


@health_check("broker")
def check_broker() -> dict:
    return ping_broker()


@health_check("workers")
def check_workers() -> dict:
    """Redis: a bounded broadcast ping. Filesystem broker: the heartbeat's age."""
    if not is_filesystem_broker():
        replies = app.control.ping(timeout=1.0) or []
        return {"ok": bool(replies), "workers": sorted(n for r in replies for n in r)}
    beat_at = cache.get(HEARTBEAT_KEY)
    age = None if beat_at is None else round(time.time() - beat_at, 1)
    return {"ok": age is not None and age < 3 * HEARTBEAT_INTERVAL_S, "heartbeat_age_s": age}


@health_check("beat")
def check_beat() -> dict:
    """The last heartbeat beat sent (stamped by the worker that ran it): within two intervals."""
    last = cache.get(BEAT_TICK_KEY)
    age = None if last is None else round(time.time() - last, 1)
    return {"ok": age is not None and age < 2 * HEARTBEAT_INTERVAL_S + 5, "last_tick_age_s": age}
