"""Keep one django-celery-beat PeriodicTask per scheduled rule, named ``discovery:<id>``."""

from __future__ import annotations

import json

from django_celery_beat.models import IntervalSchedule, PeriodicTask

from .models import DiscoveryRule

TASK = "discovery.tasks.run_discovery_rule"
QUEUE = "celery"  # the default queue: `celery -A wardflux worker` without -Q runs it


def task_name(rule_id: int) -> str:
    return f"discovery:{rule_id}"


def sync_rule_schedule(rule: DiscoveryRule) -> PeriodicTask | None:
    """Create, change or remove the rule's PeriodicTask; write only when it changed."""
    name = task_name(rule.pk)
    if not rule.interval_minutes:
        PeriodicTask.objects.filter(name=name).delete()
        return None
    every, _ = IntervalSchedule.objects.get_or_create(
        every=rule.interval_minutes, period=IntervalSchedule.MINUTES
    )
    wanted = {
        "task": TASK,
        "interval": every,
        "kwargs": json.dumps({"rule_id": rule.pk}),
        "queue": QUEUE,
        "enabled": rule.enabled,
    }
    task = PeriodicTask.objects.filter(name=name).first()
    if task is None:
        return PeriodicTask.objects.create(name=name, **wanted)
    if any(getattr(task, k) != v for k, v in wanted.items()):
        for k, v in wanted.items():
            setattr(task, k, v)
        task.save()
    return task


def remove_rule_schedule(rule_id: int) -> None:
    PeriodicTask.objects.filter(name=task_name(rule_id)).delete()
