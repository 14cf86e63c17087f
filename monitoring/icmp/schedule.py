"""The beat row that starts every ICMP run: ``icmp:dispatch`` every ICMP_INTERVAL_SECONDS."""

from __future__ import annotations

from django.conf import settings
from django.db import connections
from django_celery_beat.models import IntervalSchedule, PeriodicTask

__all__ = ["DISPATCH_NAME", "DISPATCH_TASK", "ensure_icmp_schedule"]

DISPATCH_NAME = "icmp:dispatch"
DISPATCH_TASK = "monitoring.icmp.tasks.icmp_dispatch"


def ensure_icmp_schedule(using: str = "default") -> bool:
    """Create or correct the dispatch row; return True when something was written.

    Idempotent (post_migrate runs it on every migrate). An admin's ``enabled=False`` is
    kept. Runs that beat could not start in time expire after one interval, so a stalled
    broker does not release a pile of dispatches at once.
    """
    if PeriodicTask._meta.db_table not in connections[using].introspection.table_names():
        return False  # django_celery_beat not migrated yet (a partial migrate)
    every = settings.ICMP_INTERVAL_SECONDS
    schedule, _ = IntervalSchedule.objects.using(using).get_or_create(
        every=every, period=IntervalSchedule.SECONDS
    )
    task = PeriodicTask.objects.using(using).filter(name=DISPATCH_NAME).first()
    if task is None:
        task = PeriodicTask(name=DISPATCH_NAME, enabled=True)
    elif (task.task, task.interval_id, task.expire_seconds) == (DISPATCH_TASK, schedule.pk, every):
        return False
    task.task, task.interval, task.expire_seconds = DISPATCH_TASK, schedule, every
    task.crontab = task.solar = task.clocked = None
    task.description = "Ping every enabled device (ICMP availability, RTT, loss, jitter)."
    task.save(using=using)
    return True
