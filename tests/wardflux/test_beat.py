"""Our beat scheduler: bulk last-run bookkeeping, and admin edits still seen within a tick."""

import time

import pytest
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from wardflux import beat
from wardflux.celery import app

# The scheduler commits and recycles connections as beat does: no wrapping test transaction.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def make_tasks(n: int) -> list[PeriodicTask]:
    every, _ = IntervalSchedule.objects.get_or_create(every=60, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.bulk_create(
        PeriodicTask(name=f"t{i}", task="wardflux.tasks.heartbeat", interval=every)
        for i in range(n)
    )
    return list(PeriodicTask.objects.filter(name__startswith="t"))


def test_it_saves_last_runs_of_many_entries_in_bulk(django_assert_max_num_queries):
    make_tasks(50)
    scheduler = beat.WardScheduler(app=app, lazy=True)
    for name in [f"t{i}" for i in range(50)]:
        scheduler.reserve(scheduler.schedule[name])
    with django_assert_max_num_queries(3):
        scheduler.sync()
    runs = PeriodicTask.objects.filter(name__startswith="t").values_list(
        "total_run_count", flat=True
    )
    assert set(runs) == {1}
    assert not scheduler._dirty


def test_it_sees_an_admin_edit_after_the_check_interval(monkeypatch):
    tasks = make_tasks(1)
    scheduler = beat.WardScheduler(app=app, lazy=True)
    assert "t0" in scheduler.schedule
    assert scheduler.schedule_changed() is False
    time.sleep(0.01)
    tasks[0].enabled = False
    tasks[0].save()  # the admin's save bumps django-celery-beat's change marker
    monkeypatch.setattr(beat, "CHANGE_CHECK_S", 0.0)
    assert "t0" not in scheduler.schedule


def test_schedules_compare_by_reload_not_entry_by_entry():
    make_tasks(3)
    scheduler = beat.WardScheduler(app=app, lazy=True)
    current = scheduler.schedule
    assert scheduler.schedules_equal(dict(current), current)
    scheduler._heap_invalidated = True
    assert not scheduler.schedules_equal(dict(current), current)
