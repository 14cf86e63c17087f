"""Beat's CPU with 10,000 devices x 2 polling intervals scheduled (issue: SNMP engine).

Creates its own PostgreSQL database, seeds devices with items at two intervals, builds
the PeriodicTasks with monitoring.schedule.sync_all(), then runs a real `celery beat`
(DatabaseScheduler) against a private Redis database for a bounded time and reads the
beat process's CPU time from /proc. Nothing consumes the queues; the Redis database is
flushed afterwards. Not a test: prints figures and the machine.

    python bench/beat_schedule.py [--devices 10000] [--seconds 120]
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = "postgres://postgres@127.0.0.1:5432"
DB = "wf_beat_bench"
REDIS_DB = 15


def recreate(drop_only: bool = False) -> None:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{DB}"')


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def seed(env: dict, devices: int) -> float:
    script = f"""
import time
from monitoring.models import Device, MonitoringItem, SNMPCredential
from monitoring.schedule import sync_all
from django.db.models.signals import post_save
cred = SNMPCredential.objects.create(name="bench", version="v2c", community="public")
Device.objects.bulk_create(
    Device(name=f"d{{i}}", ip_address=f"127.{{1 + i // 65536}}.{{i // 256 % 256}}.{{i % 256}}",
           snmp_credential=cred) for i in range({devices}))
ids = list(Device.objects.values_list("pk", flat=True))
MonitoringItem.objects.bulk_create(
    MonitoringItem(device_id=d, name=k, key=k, oid=o, interval=n)
    for d in ids for k, o, n in (("sysUpTime", "1.3.6.1.2.1.1.3.0", 60),
                                 ("sysDescr", "1.3.6.1.2.1.1.1.0", 300)))
t = time.perf_counter(); counts = sync_all(); print(round(time.perf_counter() - t, 2), counts)
"""
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=True,
    )  # fmt: skip
    return out.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=120)
    args = parser.parse_args()
    from bench.machine import machine

    env = {**os.environ, "DATABASE_URL": f"{PG}/{DB}",
           "CELERY_BROKER_URL": f"redis://127.0.0.1:6379/{REDIS_DB}"}  # fmt: skip
    recreate()
    r = redis.Redis(db=REDIS_DB)
    r.flushdb()
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env,
                       check=True, timeout=300)  # fmt: skip
        print("machine:", machine())
        print("seed + sync_all (s, counts):", seed(env, args.devices))
        beat = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "wardflux", "beat", "-l", "WARNING",
             "-s", f"/tmp/{DB}-beat"], cwd=ROOT, env=env)  # fmt: skip
        try:
            time.sleep(15)  # start-up: loading the schedule
            start_cpu, start = cpu_seconds(beat.pid), time.monotonic()
            time.sleep(args.seconds)
            used, wall = cpu_seconds(beat.pid) - start_cpu, time.monotonic() - start
        finally:
            beat.terminate()
            try:
                beat.wait(timeout=60)
            except subprocess.TimeoutExpired:
                beat.kill()
                print("beat did not stop within 60 s of SIGTERM")
                beat.wait()
        sent = sum(r.llen(q) for q in r.keys("poll.*"))
        print(f"devices: {args.devices} x 2 intervals (60 s, 300 s) = {2 * args.devices} tasks")
        print(
            f"beat CPU over {wall:.0f} s steady state: {used:.2f} s "
            f"({100 * used / wall:.1f}% of a core)"
        )
        print(f"messages sent in the whole run: {sent}")
    finally:
        r.flushdb()
        recreate(drop_only=True)


if __name__ == "__main__":
    main()
