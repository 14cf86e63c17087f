"""Zabbix sync benchmark: 1,000 hosts x 20 numeric items, one hour of history at 60 s
(1.2 M values) in a real Zabbix 6.0, then one sync into WARD FLUX (SQL metrics store).

Figures: wall time of the sync (target < 60 s) and its peak memory (peak RSS above the
process's RSS before the sync), for the full hour and for a quarter of it, each in a fresh
process and a fresh database: memory flat in the number of values means the two peaks match.

How the data gets in: hosts and trapper items through the Zabbix API; the 1.2 M history
values are COPYed straight into Zabbix's history tables (history, history_uint) -- for this
benchmark only, because pushing them through the trapper with the test server's single
history syncer takes minutes. The tests feed values through the trapper (zabbix-utils Sender).

Run: .venv/bin/python -m bench.zabbix_sync [--hosts 1000] [--items 20] [--minutes 60]
It starts its own Zabbix (tests/servers/zabbix.py: takes /etc/zabbix/zabbix.conf.php, so no
Zabbix test session may run at the same time) and uses the databases wf_zbx_bench* on
PostgreSQL 127.0.0.1:5432.
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_URL = "postgres://postgres@127.0.0.1:5432"
ZBX_DB = "wf_zbx_bench_zbx"
WF_TEMPLATE = "wf_zbx_bench_tpl"
CHILD_TIMEOUT_S = 900
STEP_S = 60


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{cpu}, {os.cpu_count()} CPUs, {mem_gb:.1f} GiB RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )


def psql(sql: str, db: str = "postgres") -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-qAtc", sql],
        check=True,
        capture_output=True,
        timeout=120,
    )


def make_hosts(zapi, hosts: int, items: int) -> dict[int, list[str]]:
    """Hosts with trapper items, half float and half unsigned: {value_type: [itemid]}."""
    by_type: dict[int, list[str]] = {0: [], 3: []}
    for start in range(0, hosts, 100):
        batch = [
            {
                "host": f"bench-{n:05d}",
                "groups": [{"groupid": "2"}],
                "interfaces": [
                    {
                        "type": 1,
                        "main": 1,
                        "useip": 1,
                        "ip": f"127.1.{n // 250}.{n % 250 + 1}",
                        "dns": "",
                        "port": "10050",
                    }
                ],
            }
            for n in range(start, min(start + 100, hosts))
        ]
        hostids = zapi.host.create(batch)["hostids"]
        rows = [
            {"hostid": h, "name": f"m{i}", "key_": f"m{i}", "type": 2, "value_type": i % 2 * 3}
            for h in hostids
            for i in range(items)
        ]
        itemids = zapi.item.create(rows)["itemids"]
        for row, itemid in zip(rows, itemids, strict=True):
            by_type[row["value_type"]].append(itemid)
    return by_type


def copy_history(by_type: dict[int, list[str]], end: int, minutes: int) -> int:
    """COPY `minutes` values per item (one a minute, ending at `end`) into Zabbix's tables."""
    total = 0
    for value_type, table in ((0, "history"), (3, "history_uint")):
        proc = subprocess.Popen(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", ZBX_DB, "-qc",
             f"COPY {table} (itemid, clock, value, ns) FROM STDIN"],
            stdin=subprocess.PIPE,
        )  # fmt: skip
        for m in range(minutes):
            clock = end - (minutes - 1 - m) * STEP_S
            lines = []
            for n, itemid in enumerate(by_type[value_type]):
                value = f"{(n % 97) + m / 10:.2f}" if value_type == 0 else str(n * 1000 + m)
                lines.append(f"{itemid}\t{clock}\t{value}\t0\n")
            proc.stdin.write("".join(lines).encode())
            total += len(lines)
        proc.stdin.close()
        if proc.wait(timeout=300):
            raise RuntimeError(f"COPY into {table} failed")
    return total


def prepare_wardflux_template() -> None:
    psql(f'DROP DATABASE IF EXISTS "{WF_TEMPLATE}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{WF_TEMPLATE}"')
    env = {**os.environ, "DATABASE_URL": f"{PG_URL}/{WF_TEMPLATE}"}
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "-v", "0"],
        env=env,
        check=True,
        timeout=300,
    )


def run_child(url: str, minutes: int, now: int) -> dict:
    db = f"wf_zbx_bench_{minutes}m"
    psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{db}" TEMPLATE "{WF_TEMPLATE}"')
    env = {**os.environ, "DATABASE_URL": f"{PG_URL}/{db}"}
    args = [sys.executable, __file__, "--child", url, "--minutes", str(minutes), "--now", str(now)]
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=CHILD_TIMEOUT_S)
    if done.returncode:
        raise RuntimeError(f"sync child failed: {done.stderr[-3000:]}")
    psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    return json.loads(done.stdout.strip().splitlines()[-1])


def child(url: str, minutes: int, now: int) -> None:
    """One sync in this fresh process; prints its figures as one JSON line."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wardflux.settings")
    os.environ["METRICS_SPOOL_DIR"] = f"/tmp/wf_zbx_bench_spool_{os.getpid()}"
    import django

    django.setup()
    from django.conf import settings

    from monitoring.choices import ProfileMode
    from monitoring.metrics import hooks
    from monitoring.models import MonitoringProfile
    from tests.servers.zabbix import ADMIN_PASSWORD, ADMIN_USER
    from zabbix_bridge.models import ZabbixServer
    from zabbix_bridge.service import run_sync

    settings.ZABBIX_HISTORY_LAG_S = 0
    settings.ZABBIX_HISTORY_BACKFILL_S = minutes * STEP_S
    settings.ZABBIX_TRENDS_BACKFILL_S = 0  # history only: trends are not part of the target
    MonitoringProfile.objects.create(name="bench", mode=ProfileMode.ZABBIX, is_active=True)
    server = ZabbixServer.objects.create(
        name="bench", url=url, username=ADMIN_USER, password=ADMIN_PASSWORD, timeout=120
    )
    base_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    summary = run_sync(server, now=now + 1)
    wall_s = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    from monitoring.metrics.models import MetricSample

    out = {
        "minutes": minutes,
        "wall_s": round(wall_s, 2),
        "rss_before_mb": round(base_kb / 1024, 1),
        "rss_peak_mb": round(peak_kb / 1024, 1),
        "stored": MetricSample.objects.count(),
        "after_write_hooks": [h.__qualname__ for h in hooks.AFTER_WRITE],
        "summary": summary,
    }
    print(json.dumps(out, default=str))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hosts", type=int, default=1000)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--child", metavar="URL")
    parser.add_argument("--now", type=int)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.minutes, args.now)
        return
    from zabbix_utils import ZabbixAPI

    from tests.servers.zabbix import ADMIN_PASSWORD, ADMIN_USER, Pg, start_zabbix

    print(f"machine: {machine()}")
    zabbix = start_zabbix(ZBX_DB, Pg())
    try:
        zapi = ZabbixAPI(url=zabbix.url, user=ADMIN_USER, password=ADMIN_PASSWORD, timeout=120)
        t0 = time.perf_counter()
        by_type = make_hosts(zapi, args.hosts, args.items)
        print(f"made {args.hosts} hosts, {args.hosts * args.items} items in "
              f"{time.perf_counter() - t0:.1f} s")  # fmt: skip
        now = int(time.time()) - 5
        t0 = time.perf_counter()
        values = copy_history(by_type, now, args.minutes)
        print(f"COPYed {values:,} history values in {time.perf_counter() - t0:.1f} s")
        prepare_wardflux_template()
        for minutes in (max(1, args.minutes // 4), args.minutes):
            r = run_child(zabbix.url, minutes, now)
            hist = r["summary"].get("history", {})
            print(
                f"sync of {minutes} min: {hist.get('values', 0):,} values, "
                f"{r['stored']:,} samples stored, wall {r['wall_s']} s, "
                f"RSS {r['rss_before_mb']} MB before -> peak {r['rss_peak_mb']} MB "
                f"(+{r['rss_peak_mb'] - r['rss_before_mb']:.1f} MB), "
                f"error: {r['summary'].get('error', 'none')}"
            )
            print(f"  phases: {json.dumps(r['summary'])}")
            print(f"  after-write hooks: {r['after_write_hooks']}")
    finally:
        zabbix.stop()
        psql(f'DROP DATABASE IF EXISTS "{WF_TEMPLATE}" WITH (FORCE)')


if __name__ == "__main__":
    main()
