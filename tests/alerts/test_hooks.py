"""Wiring: the engine joins the metrics store's after-write hooks; beat runs the periodic pass."""

import sys
import types

import pytest

from alerts import hooks
from alerts.engine import evaluate_samples


def test_register_appends_the_engine_to_the_store_hooks_once(monkeypatch):
    # The store's hook module is another engineer's; a module with its agreed shape stands in.
    fake = types.ModuleType("monitoring.metrics.hooks")
    fake.AFTER_WRITE = []
    monkeypatch.setitem(sys.modules, "monitoring.metrics.hooks", fake)
    import monitoring.metrics

    monkeypatch.setattr(monitoring.metrics, "hooks", fake, raising=False)
    assert hooks.register() is True
    assert hooks.register() is True
    assert fake.AFTER_WRITE == [evaluate_samples]


@pytest.mark.django_db
def test_beat_runs_the_periodic_evaluation_every_30_seconds():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(name="alerts:evaluate-conditions")
    assert task.task == "alerts.tasks.evaluate_conditions" and task.enabled
    assert (task.interval.every, task.interval.period) == (30, "seconds")


@pytest.mark.django_db
def test_beat_promotes_due_pending_alerts_every_10_seconds():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(name="alerts:promote-pending")
    assert task.task == "alerts.tasks.promote_pending" and task.enabled
    assert (task.interval.every, task.interval.period) == (10, "seconds")
