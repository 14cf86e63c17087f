"""Device list latency with 10,000 devices on PostgreSQL.

Creates a scratch database (default wf_bench; dropped at the end unless --keep), migrates,
bulk-creates 10,000 devices with tags and assigned users, then times list pages of 100
with a filter and an ordering through Django's full request stack (test Client: URL
routing, middleware, JWT authentication, DRF, serialization; no socket) and prints p50/p95
with the machine. Target: p95 under 100 ms.

    python bench/api_devices.py [--requests 300] [--devices 10000] [--keep]
    PG_URL=postgres://postgres@127.0.0.1:5432 python bench/api_devices.py
"""

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
SITES, TAGS, USERS = 10, 8, 5


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def recreate(pg_url: str, name: str, drop_only: bool = False) -> None:
    with psycopg.connect(f"{pg_url}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def seed(count: int) -> None:
    from django.contrib.auth.models import Group, User

    from monitoring.choices import DeviceStatus, DeviceType
    from monitoring.models import Device, Tag

    types, statuses = list(DeviceType.values), list(DeviceStatus.values)
    staff = [User.objects.create_user(f"tech{i}") for i in range(USERS)]
    tags = [Tag.objects.create(name=f"tag{i}") for i in range(TAGS)]
    devices = Device.objects.bulk_create(
        (
            Device(
                name=f"dev-{i:05}",
                ip_address=f"10.{i // 65536}.{i // 256 % 256}.{i % 256}",
                device_type=types[i % len(types)],
                status=statuses[i % len(statuses)],
                site=f"site-{i % SITES}",
                vendor=("Cisco", "Juniper", "Arista", "Linux")[i % 4],
            )
            for i in range(count)
        ),
        batch_size=2000,
    )
    Device.tags.through.objects.bulk_create(
        (
            Device.tags.through(device_id=d.pk, tag_id=tags[(d.pk + k) % TAGS].pk)
            for d in devices
            for k in range(2)
        ),
        batch_size=5000,
    )
    Device.assigned_to.through.objects.bulk_create(
        (
            Device.assigned_to.through(device_id=d.pk, user_id=staff[d.pk % USERS].pk)
            for d in devices
        ),
        batch_size=5000,
    )
    admin = User.objects.create_user("bench-admin", password="bench-password-123")
    admin.groups.add(Group.objects.get(name="admin"))
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measure(client, urls: list[str], headers: dict, warmup: int = 20) -> tuple[list[float], float]:
    """Wall-clock ms per request, and the mean CPU ms this process spent on each."""
    for url in urls[:warmup]:
        assert client.get(url, headers=headers).status_code == 200
    times, cpu = [], 0.0
    for url in urls:
        cpu_started, started = time.process_time(), time.perf_counter()
        resp = client.get(url, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        cpu += time.process_time() - cpu_started
        assert resp.status_code == 200, resp.content[:200]
        assert len(resp.json()["results"]) > 0, url
    return times, cpu * 1000 / len(urls)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=300, help="per scenario (>= 200)")
    parser.add_argument("--database", default="wf_bench")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    pg_url = os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432")

    recreate(pg_url, args.database)
    os.environ["DATABASE_URL"] = f"{pg_url}/{args.database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wardflux.settings")
    os.environ["DEBUG"] = "false"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    try:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        seed(args.devices)
        setup_s = time.perf_counter() - started
        client = Client()
        token = client.post(
            "/api/v1/auth/token/",
            {"username": "bench-admin", "password": "bench-password-123"},
            content_type="application/json",
        ).json()["access"]
        headers = {"Authorization": f"Bearer {token}"}
        n = args.requests
        scenarios = {
            "site filter, ordering=-name": [
                f"/api/v1/devices/?page_size=100&site=site-{i % SITES}&ordering=-name"
                f"&page={i // SITES % 10 + 1}"
                for i in range(n)
            ],
            "tag + type filter, ordering=ip_address": [
                f"/api/v1/devices/?page_size=100&tag=tag{i % TAGS}&device_type=switch"
                f"&ordering=ip_address&page={i % 3 + 1}"
                for i in range(n)
            ],
            "status filter, ordering=site": [
                f"/api/v1/devices/?page_size=100&status=down&ordering=site&page={i % 20 + 1}"
                for i in range(n)
            ],
        }
        pg_version = connection.cursor().connection.info.server_version
        print(f"machine: {' '.join(platform.uname()[:3])} {platform.machine()}")
        print(f"cpu: {cpu_model()}, {os.cpu_count()} cores; load {os.getloadavg()[0]:.2f}")
        print(f"python {platform.python_version()}, PostgreSQL {pg_version // 10000}")
        print(f"{args.devices} devices seeded and migrated in {setup_s:.1f} s")
        print("list pages of 100 through Django's full request stack (test Client, JWT auth)")
        worst = 0.0
        for name, urls in scenarios.items():
            times, cpu_ms = measure(client, urls, headers)
            p50, p95 = pct(times, 50), pct(times, 95)
            worst = max(worst, p95)
            print(
                f"  {name:<40} n={len(times)}  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
                f"mean {statistics.fmean(times):6.1f} ms  max {max(times):6.1f} ms  "
                f"(python cpu {cpu_ms:.1f} ms/req)"
            )
        print(f"load average after: {os.getloadavg()[0]:.2f}")
        print(f"target p95 < 100 ms: {'met' if worst < 100 else 'NOT met'} (worst {worst:.1f} ms)")
        return 0 if worst < 100 else 1
    finally:
        connection.close()
        if not args.keep:
            recreate(pg_url, args.database, drop_only=True)


if __name__ == "__main__":
    sys.exit(main())
