"""Batching the inventory, the per-batch lock, and the beat row that starts it all."""

import os
import subprocess
import sys
import time
from ipaddress import IPv4Address

import pytest
from celery.signals import task_prerun
from django_celery_beat.models import PeriodicTask

from monitoring.choices import DeviceStatus, ProfileMode, Source
from monitoring.icmp import tasks
from monitoring.icmp.dispatch import batch_lock, plan_batches, split_batches
from monitoring.icmp.schedule import DISPATCH_NAME, DISPATCH_TASK, ensure_icmp_schedule
from monitoring.models import AvailabilityEvent, Device, MonitoringProfile
from wardflux.celery import app

WORKTREE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIRST = int(IPv4Address("127.1.0.1"))


@pytest.fixture
def inventory_1200(db):
    Device.objects.bulk_create(
        Device(name=f"d{i:04}", ip_address=str(IPv4Address(FIRST + i))) for i in range(1200)
    )
    return list(Device.objects.order_by("pk").values_list("pk", flat=True))


@pytest.fixture
def eager_celery():
    old = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = old


def test_split_batches_cuts_1200_into_500_500_200():
    batches = split_batches(list(range(1200)), 500)
    assert [len(b) for b in batches] == [500, 500, 200]
    assert sum(batches, []) == list(range(1200))
    assert split_batches([], 500) == []
    with pytest.raises(ValueError):
        split_batches([1], 0)


def test_plan_batches_covers_every_enabled_device_once(settings, inventory_1200):
    settings.ICMP_BATCH_SIZE = 500
    Device.objects.create(name="off", ip_address="127.0.0.1", enabled=False)
    batches = plan_batches()
    assert [len(b) for b in batches] == [500, 500, 200]
    assert sorted(sum(batches, [])) == inventory_1200


def test_plan_puts_parents_before_children(make_device):
    child = make_device("child", "127.0.0.2")
    parent = make_device("parent", "127.0.0.1")
    Device.objects.filter(pk=child.pk).update(parent=parent)
    assert plan_batches(batch_size=1) == [[parent.pk], [child.pk]]


def test_zabbix_mode_pings_nothing_and_hybrid_leaves_zabbix_devices(make_device):
    own = make_device("own", "127.0.0.1")
    make_device("mirrored", "127.0.0.2", source=Source.ZABBIX)
    profile = MonitoringProfile.objects.create(name="p", mode=ProfileMode.ZABBIX, is_active=True)
    assert plan_batches() == []
    profile.mode = ProfileMode.HYBRID
    profile.save()
    assert plan_batches() == [[own.pk]]


def test_dispatch_runs_one_task_per_batch_and_every_device_comes_up(
    fast_icmp, inventory_1200, eager_celery
):
    fast_icmp.ICMP_BATCH_SIZE = 500
    fast_icmp.ICMP_COUNT = 1
    batch_sizes = []

    def count(sender, args, **kwargs):
        if sender.name.endswith("icmp_check_batch"):
            batch_sizes.append(len(args[0]))

    task_prerun.connect(count)
    started = time.monotonic()
    try:
        assert tasks.icmp_dispatch() == 3
    finally:
        task_prerun.disconnect(count)
    assert batch_sizes == [500, 500, 200]
    assert time.monotonic() - started < 30
    assert Device.objects.filter(status=DeviceStatus.UP).count() == 1200
    assert AvailabilityEvent.objects.count() == 1200


def test_lock_stops_a_second_run_of_the_same_batch(fast_icmp, make_device):
    devices = [make_device(f"lo{i}", f"127.0.0.{i}") for i in (1, 2)]
    ids = [d.pk for d in devices]
    with batch_lock(ids) as first:  # a run of this batch is in progress
        assert first
        assert tasks.icmp_check_batch(ids) == {"skipped": True, "devices": 2}
        assert not Device.objects.filter(status=DeviceStatus.UP).exists()
        with batch_lock(list(reversed(ids))) as second:  # same batch, any order
            assert not second
    summary = tasks.icmp_check_batch(ids)
    assert summary["devices"] == 2 and summary["up"] == 2
    assert Device.objects.filter(status=DeviceStatus.UP).count() == 2


def test_lock_of_a_dead_worker_expires(db):
    with batch_lock([1, 2, 3], expires_s=1) as first:
        assert first
        time.sleep(2.05)  # the database cache keeps expiry times to the whole second
        with batch_lock([1, 2, 3]) as after_expiry:
            assert after_expiry


def test_migrate_created_the_dispatch_row_and_ensure_is_idempotent(settings, db):
    task = PeriodicTask.objects.get(name=DISPATCH_NAME)
    assert task.task == DISPATCH_TASK and task.interval.every == settings.ICMP_INTERVAL_SECONDS
    assert ensure_icmp_schedule() is False
    settings.ICMP_INTERVAL_SECONDS = 45
    assert ensure_icmp_schedule() is True
    task.refresh_from_db()
    assert (task.interval.every, task.expire_seconds) == (45, 45)
    PeriodicTask.objects.filter(name=DISPATCH_NAME).update(enabled=False)
    ensure_icmp_schedule()
    assert PeriodicTask.objects.get(name=DISPATCH_NAME).enabled is False  # admin's choice kept
    assert PeriodicTask.objects.filter(name=DISPATCH_NAME).count() == 1


def test_a_fresh_worker_process_discovers_the_icmp_tasks():
    # A subprocess: in this one the tests have already imported monitoring.icmp.tasks.
    script = (
        "from wardflux.celery import app; app.loader.import_default_modules(); "
        "print(sorted(t for t in app.tasks if 'icmp' in t))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=WORKTREE
    )
    assert done.returncode == 0, done.stderr
    assert DISPATCH_TASK in done.stdout and "monitoring.icmp.tasks.icmp_check_batch" in done.stdout
