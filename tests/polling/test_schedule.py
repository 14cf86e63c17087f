"""Beat's rows follow items and devices, in the same transaction; queues per poller group."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django_celery_beat.models import PeriodicTask, PeriodicTasks

from monitoring.choices import ProfileMode
from monitoring.models import MonitoringProfile, MonitoringTemplate
from monitoring.schedule import deferred_sync, first_run_offset_s, sync_all, task_name
from monitoring.templates import apply_template
from tests.polling.conftest import make_credential, make_device

REDIS_DB = 7
BROKER = f"redis://127.0.0.1:6379/{REDIS_DB}"
WORKER_WAIT_S = 30


def device_with_items(name: str, group: str = "default"):
    device = make_device(name, 161, make_credential(f"c-{name}", community="x"), poller_group=group)
    apply_template(MonitoringTemplate.objects.get(name="Generic SNMP"), [device])
    return device


def names_of(device) -> set[str]:
    return set(
        PeriodicTask.objects.filter(name__startswith=f"poll:{device.pk}:").values_list(
            "name", flat=True
        )
    )


@pytest.mark.django_db
def test_template_applied_gives_one_task_per_interval():
    device = device_with_items("r1", "site-a")
    assert names_of(device) == {task_name(device.pk, i) for i in (60, 300, 3600)}
    task = PeriodicTask.objects.get(name=task_name(device.pk, 60))
    assert task.task == "monitoring.tasks.poll_device" and task.queue == "poll.site-a"
    assert json.loads(task.kwargs) == {"device_id": device.pk, "interval": 60}
    assert task.interval.every == 60 and task.interval.period == "seconds"
    other = device_with_items("r2")
    assert PeriodicTask.objects.get(name=task_name(other.pk, 60)).interval_id == task.interval_id


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_changing_an_item_interval_changes_rows_in_the_same_transaction():
    device = device_with_items("r1")
    item = device.items.get(key="sysUpTime")
    device.items.exclude(pk=item.pk).update(interval=300)  # leave sysUpTime alone at 60
    sync_all()
    with transaction.atomic():
        item.interval = 120
        item.save()
        assert names_of(device) == {task_name(device.pk, 120), task_name(device.pk, 300)}
        transaction.set_rollback(True)
    assert task_name(device.pk, 60) in names_of(device)  # rolled back with the edit


@pytest.mark.django_db
def test_disabling_a_device_removes_its_tasks_and_bumps_beat():
    device = device_with_items("r1")
    before = PeriodicTasks.last_change()
    device.enabled = False
    device.save()
    assert names_of(device) == set()
    assert PeriodicTasks.last_change() > before
    device.enabled = True
    device.save()
    assert len(names_of(device)) == 3


@pytest.mark.django_db
def test_poller_group_change_moves_the_queue_and_unchanged_rows_are_not_written():
    device = device_with_items("r1", "site-a")
    device.poller_group = "site-b"
    device.save()
    assert set(
        PeriodicTask.objects.filter(name__in=names_of(device)).values_list("queue", flat=True)
    ) == {"poll.site-b"}
    counts = sync_all()
    assert (counts.created, counts.updated, counts.deleted, counts.unchanged) == (0, 0, 0, 3)


@pytest.mark.django_db
def test_zabbix_mode_schedules_nothing_and_sync_schedules_repairs_drift(capsys):
    device = device_with_items("r1")
    PeriodicTask.objects.filter(name=task_name(device.pk, 60)).delete()  # drift
    call_command("sync_schedules")
    assert "created 1" in capsys.readouterr().out
    MonitoringProfile.objects.create(name="z", mode=ProfileMode.ZABBIX, is_active=True)
    assert names_of(device) == set()


@pytest.mark.django_db
def test_deferred_sync_writes_each_device_once():
    device = make_device("r1", 161, make_credential("c", community="x"))
    with deferred_sync() as touched:
        apply_template(MonitoringTemplate.objects.get(name="Linux"), [device])
        assert names_of(device) == set() and touched == {device.pk}
    assert len(names_of(device)) == 3


@pytest.mark.django_db
def test_first_runs_are_spread_over_the_interval():
    offsets = {first_run_offset_s(device_id, 60) for device_id in range(1, 1001)}
    assert len({int(o) for o in offsets}) == 60  # every second of the minute is used
    device = device_with_items("r1")
    task = PeriodicTask.objects.get(name=task_name(device.pk, 60))
    assert task.last_run_at is not None  # first run at last_run_at + 60 s = now + offset


@pytest.fixture
def broker():
    client = redis.Redis.from_url(BROKER)
    client.flushdb()
    yield client
    client.flushdb()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_bound_to_site_a_never_receives_a_site_b_device(broker, tmp_path):
    from wardflux.celery import app

    a = device_with_items("ra", "site-a")
    b = device_with_items("rb", "site-b")
    sent = {}
    # An explicit connection: the app's producer pool may already point at the test
    # settings' broker (an earlier test published through it).
    with app.connection_for_write(BROKER) as conn:
        for device in (a, b):  # what beat sends for each row: its task, kwargs and queue
            row = PeriodicTask.objects.get(name=task_name(device.pk, 60))
            result = app.send_task(
                row.task, kwargs=json.loads(row.kwargs), queue=row.queue, connection=conn
            )
            sent[device.poller_group] = result.id
    assert broker.llen("poll.site-a") == 1 and broker.llen("poll.site-b") == 1
    log = tmp_path / "worker.log"
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "CELERY_BROKER_URL": BROKER,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{connection.settings_dict['NAME']}",
        "CACHE_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "wardflux", "worker", "-Q", "poll.site-a",
         "--pool", "solo", "-l", "info", "--without-gossip", "--without-mingle",
         "--without-heartbeat", f"--logfile={log}"],
        cwd=Path(settings.BASE_DIR), env=env, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + WORKER_WAIT_S
        while time.monotonic() < deadline and f"{sent['site-a']}] succeeded" not in _read(log):
            assert worker.poll() is None, _read(log)
            time.sleep(0.3)
        text = _read(log)
        assert f"{sent['site-a']}] succeeded" in text, text[-3000:]
        assert sent["site-b"] not in text
        assert broker.llen("poll.site-b") == 1  # still waiting for a site-b worker
    finally:
        worker.terminate()
        worker.wait(timeout=15)


def _read(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""


def test_long_intervals_first_run_within_five_minutes_still_spread():
    offsets = [first_run_offset_s(device_id, 3600) for device_id in range(1, 1001)]
    assert max(offsets) < 300 and len({int(o) for o in offsets}) > 200
