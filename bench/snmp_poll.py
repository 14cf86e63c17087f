"""Benchmark: our polling engine vs snmpbulkwalk vs Prometheus' snmp_exporter, same snmpd.

    /work/main/.venv/bin/python -m bench.snmp_poll [--devices 50] [--cycles 3]
        [--live 1000] [--dead 100] [--rounds 3]

Not a test. net-snmp snmpd answers on N loopback addresses (127.0.x.y); every
tool asks each address for the generic template's columns. Figures: varbinds per
CPU-second of the poller's own process (children for snmpbulkwalk, the exporter's
process for snmp_exporter, whose figure includes rendering its /metrics page).

Ours is end to end: poll, decode, counter rates against the previous reads kept in
Django's cache (Redis, as in production), and one write per cycle of every sample to
the metrics store (a VictoriaMetrics started here; its own ingestion CPU is not
counted, as Prometheus' is not for snmp_exporter). The devices' database rows
(last values, interfaces) are not written. "--dead" silent devices are polled
beside the live ones to show how much they slow the live ones' cycle.

The dead test polls ``--live`` devices (1,000; ten snmpd of 100 addresses each) alone
and beside ``--dead`` silent ports, in rotating order over ``--rounds``; it prints the
live cycle of each round, the medians, and the CPU the dead devices cost on their own.
With --devices 50 --cycles 3 --live 1000 --dead 100 --rounds 3 a run takes ~1 minute.
"""

import argparse
import asyncio
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import django

_SPOOL = tempfile.mkdtemp(prefix="wardflux-bench-spool-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wardflux.settings")
os.environ.setdefault("CACHE_URL", "rediscache://127.0.0.1:6379/13")
os.environ.setdefault("METRICS_SPOOL_DIR", _SPOOL)
os.environ["METRICS_BACKEND"] = "victoriametrics"
django.setup()

from monitoring.metrics import hooks  # noqa: E402

hooks.AFTER_WRITE.clear()  # alert evaluation after a write is bench/alert_latency.py's

from bench.machine import machine  # noqa: E402
from monitoring import counter_state  # noqa: E402
from monitoring.default_templates import HOST_RESOURCES, INTERFACES, SYSTEM  # noqa: E402
from monitoring.metrics import store  # noqa: E402
from monitoring.polling import PollJob, fetch, fetch_all  # noqa: E402
from monitoring.snmp import SnmpTarget  # noqa: E402
from monitoring.snmp.mapping import ItemSpec, interpret, rate_samples  # noqa: E402
from tests.servers.ports import free_tcp_port, free_udp_port  # noqa: E402
from tests.servers.snmpd import ensure_snmpd, snmpd_config  # noqa: E402
from tests.servers.victoria import VictoriaServer  # noqa: E402

COMMUNITY = "public"  # what Debian's snmp_exporter if_mib module sends
DEVICE_ID_BASE = 900_000_000  # counter-state cache keys no real device has
ITEMS = [
    ItemSpec(k, oid, str(vt)) for k, _n, oid, vt, _u, _i in SYSTEM + INTERFACES + HOST_RESOURCES
]


ADDRESSES_PER_SNMPD = 100  # snmpd reads a long agentAddress line only to ~121 addresses


def start_snmpd(addresses: list[str], port: int) -> tuple[list[subprocess.Popen], Path]:
    """One snmpd per ADDRESSES_PER_SNMPD addresses, all on one port; each its own workdir."""
    workdir = Path(tempfile.mkdtemp(prefix="wardflux-bench-"))
    procs = []
    for start in range(0, len(addresses), ADDRESSES_PER_SNMPD):
        part = addresses[start : start + ADDRESSES_PER_SNMPD]
        agent_dir = workdir / f"snmpd{start}"
        agent_dir.mkdir()
        conf = snmpd_config(part[0], port, COMMUNITY, ())
        listen = ",".join(f"udp:{a}:{port}" for a in part)
        conf = re.sub(r"^agentAddress .*$", f"agentAddress {listen}", conf, flags=re.M)
        conf = conf.replace(
            f"rocommunity {COMMUNITY} 127.0.0.1", f"rocommunity {COMMUNITY} 127.0.0.0/8"
        )
        (agent_dir / "snmpd.conf").write_text(conf)
        env = {"PATH": "/usr/bin:/bin", "SNMPCONFPATH": str(agent_dir), "MIBS": ""}
        env["SNMP_PERSISTENT_DIR"] = str(agent_dir)
        cmd = [str(ensure_snmpd()), "-f", "-Lo", "-C", "-c", str(agent_dir / "snmpd.conf")]
        cmd += ["-I", "-hrSWRunTable,hrSWInstalledTable"]
        log = (agent_dir / "log").open("w")
        procs.append(
            subprocess.Popen(
                cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env
            )
        )
    time.sleep(1.5)
    return procs, workdir


def job(address: str, port: int, name: str, number: int) -> PollJob:
    target = SnmpTarget(address, port, "v2c", COMMUNITY, timeout_s=2.0, retries=1)
    return PollJob(DEVICE_ID_BASE + number, name, address, 60, ITEMS, target, deadline_s=30)


def varbinds(raw) -> int:
    return len(raw.scalars) + sum(len(c) for c in raw.columns.values())


def our_cycles(jobs: list[PollJob], cycles: int) -> dict:
    """Our engine, end to end: one asyncio loop with all devices in flight, rates
    against the previous reads in the cache, every sample of a cycle in one store write."""
    cpu0, wall0, total, samples = time.process_time(), time.monotonic(), 0, 0
    live_durations = []
    for _ in range(cycles):
        raws = asyncio.run(fetch_all(jobs))
        batch, to_save = [], {}
        # As monitoring.polling.finish_all: one cache read and one write per batch.
        loaded = counter_state.load(counter_state.device_key(j.device_id, 60) for j in jobs)
        for j, raw in zip(jobs, raws, strict=True):
            if not raw.answered:
                continue
            total += varbinds(raw)
            live_durations.append(raw.duration_s)
            out = interpret(
                {"name": j.name, "ip": j.ip}, ITEMS, raw.scalars, raw.columns, raw.times_ms
            )
            key = counter_state.device_key(j.device_id, 60)
            rates, _counts = rate_samples(out, loaded.get(key, {}))
            to_save[key] = {r.name: r.current for r in out.counters}
            batch += out.samples + rates
        counter_state.save(to_save, 60)
        store.write(batch)
        samples += len(batch)
    cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
    live_durations.sort()
    return {
        "varbinds": total, "cpu_s": cpu, "wall_s": wall, "samples": samples,
        "live_p50_s": live_durations[len(live_durations) // 2] if live_durations else 0,
        "live_max_s": live_durations[-1] if live_durations else 0,
    }  # fmt: skip


def thread_pool_cycles(jobs: list[PollJob], cycles: int, threads: int = 32) -> dict:
    """The alternative: one event loop per device, in a thread pool."""
    cpu0, wall0, total = time.process_time(), time.monotonic(), 0
    with ThreadPoolExecutor(threads) as pool:
        for _ in range(cycles):
            for raw in pool.map(lambda j: asyncio.run(fetch(j)), jobs):
                total += varbinds(raw)
    return {
        "varbinds": total,
        "cpu_s": time.process_time() - cpu0,
        "wall_s": time.monotonic() - wall0,
    }


def snmpbulkwalk_cycle(addresses: list[str], port: int) -> dict:
    columns = [i.oid for i in ITEMS if i.value_type == "table_column"]
    before, wall0, total = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic(), 0
    for address in addresses:
        for column in columns:
            out = subprocess.run(
                ["snmpbulkwalk", "-v2c", "-c", COMMUNITY, "-Cr25", "-On", "-Oq",
                 f"{address}:{port}", column],
                capture_output=True, text=True, timeout=30, check=False,
            )  # fmt: skip
            total += sum(1 for line in out.stdout.splitlines() if line.startswith("."))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"varbinds": total, "cpu_s": cpu, "wall_s": time.monotonic() - wall0}


# Debian ships no snmp.yml (MIB licences), so we write an if_mib module by hand, numeric
# OIDs, walking the same IF-MIB columns as our generic template.
IF_TYPES = {"ifName": "DisplayString", "ifDescr": "DisplayString", "ifAlias": "DisplayString"}


def exporter_config(workdir: Path) -> Path:
    columns = [
        (i.key, i.oid) for i in ITEMS if i.oid.startswith(("1.3.6.1.2.1.2.", "1.3.6.1.2.1.31."))
    ]
    lines = ["if_mib:", "  version: 2", "  max_repetitions: 25", "  retries: 1", "  timeout: 2s"]
    lines += [
        "  auth:",
        f"    community: {COMMUNITY}",
        "  get:",
        "  - 1.3.6.1.2.1.1.3.0",
        "  walk:",
    ]
    lines += [f"  - {oid}" for _key, oid in columns]
    lines += ["  metrics:", "  - name: sysUpTime", "    oid: 1.3.6.1.2.1.1.3", "    type: gauge"]
    for key, oid in columns:
        kind = IF_TYPES.get(key, "counter" if "Octets" in key or "rrors" in key else "gauge")
        lines += [f"  - name: {key}", f"    oid: {oid}", f"    type: {kind}", "    indexes:"]
        lines += ["    - labelname: ifIndex", "      type: gauge"]
    path = workdir / "snmp.yml"
    path.write_text("\n".join(lines) + "\n")
    return path


def snmp_exporter_cycle(addresses: list[str], port: int, cycles: int, workdir: Path) -> dict | None:
    binary = shutil.which("prometheus-snmp-exporter")
    if not binary:
        return None
    config = exporter_config(workdir)
    http_port = free_tcp_port()
    proc = subprocess.Popen(
        [binary, f"--config.file={config}", f"--web.listen-address=127.0.0.1:{http_port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        time.sleep(1.0)

        def scrape(address: str) -> int:
            url = f"http://127.0.0.1:{http_port}/snmp?module=if_mib&target={address}:{port}"
            body = urllib.request.urlopen(url, timeout=30).read().decode()
            found = re.search(r"^snmp_scrape_pdus_returned (\d+)", body, re.M)
            return int(found.group(1)) if found else 0

        cpu0, wall0, total = _proc_cpu(proc.pid), time.monotonic(), 0
        with ThreadPoolExecutor(32) as pool:
            for _ in range(cycles):
                total += sum(pool.map(scrape, addresses))
        return {
            "varbinds": total,
            "cpu_s": _proc_cpu(proc.pid) - cpu0,
            "wall_s": time.monotonic() - wall0,
        }
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _proc_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def show(name: str, r: dict | None) -> None:
    if r is None:
        print(f"{name:<28} not run (not installed)")
        return
    per_cpu = r["varbinds"] / r["cpu_s"] if r["cpu_s"] else float("inf")
    extra = "".join(f" {k}={v:.3f}" for k, v in r.items() if k.startswith("live"))
    print(
        f"{name:<28} varbinds={r['varbinds']:>8} cpu={r['cpu_s']:7.3f}s wall={r['wall_s']:7.3f}s "
        f"varbinds/cpu-s={per_cpu:>10.0f}{extra}"
    )


def loopback(n: int) -> str:
    return f"127.0.{1 + n // 250}.{1 + n % 250}"


def dead_among_live(jobs: list[PollJob], dead: int, rounds: int) -> None:
    """The live devices' cycle (time until the slowest live device has answered) alone,
    beside ``dead`` silent devices polled for the first time (started with the live
    ones), and beside the same ones known silent (their last poll failed: started
    after). Interleaved over ``rounds`` in rotating order and compared by median: on a
    shared 2-core machine one cycle of 1,000 devices on ten snmpd varies by tens of
    percent, and whichever condition runs first in a round tends to look slowest. The
    CPU of each cycle (ours: poll, rates, store write) is the steadier figure."""
    silent = []
    try:
        for _ in range(dead):
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.bind(("127.0.0.1", 0))
            silent.append(sock)
        dead_jobs = [
            job("127.0.0.1", s.getsockname()[1], f"dead{n}", 500_000 + n)
            for n, s in enumerate(silent)
        ]
        conditions = {
            "alone": (jobs, False),
            "new": (jobs + dead_jobs, False),
            "known": (jobs + dead_jobs, True),
        }
        cycles: dict[str, list[float]] = {name: [] for name in conditions}
        cpu: dict[str, list[float]] = {name: [] for name in conditions}
        names = list(conditions)
        for r in range(rounds):  # each round in another order: no condition always first
            for name in names[r % 3 :] + names[: r % 3]:
                polled, known_silent = conditions[name]
                for j in dead_jobs:
                    j.known_silent, j.deadline_s = known_silent, 30
                found = our_cycles(polled, 1)
                cycles[name].append(found["live_max_s"])
                cpu[name].append(found["cpu_s"])
        started = time.process_time()
        asyncio.run(fetch_all(dead_jobs))
        dead_cpu = time.process_time() - started
        alone = statistics.median(cycles["alone"])
        print(f"{len(jobs)} live, {dead} dead, {rounds} rounds: live cycle (s) per round")
        for name, values in cycles.items():
            median = statistics.median(values)
            shown = " ".join(f"{v:.3f}" for v in values)
            print(
                f"  {name:<6} {shown}  median {median:.3f} ({median / alone - 1:+.1%}; "
                f"target < +10%)  cpu median {statistics.median(cpu[name]):.3f}s"
            )
        share = dead_cpu / statistics.median(cpu["alone"])
        print(
            f"  the {dead} dead polled alone: cpu {dead_cpu:.3f}s ({share:.1%} of the live cycle's)"
        )
    finally:
        for sock in silent:
            sock.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=50, help="targets of the comparison")
    parser.add_argument("--cycles", type=int, default=3)
    parser.add_argument("--live", type=int, default=1000, help="live targets of the dead test")
    parser.add_argument("--dead", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the dead test")
    args = parser.parse_args()
    addresses = [loopback(n) for n in range(max(args.devices, args.live))]
    port = free_udp_port()
    procs, workdir = start_snmpd(addresses, port)
    victoria = VictoriaServer().start()
    os.environ["VICTORIA_URL"] = victoria.url
    from django.conf import settings

    settings.VICTORIA_URL = victoria.url
    try:
        print(machine())
        print(f"{args.devices} live targets (one snmpd), {len(ITEMS)} items, {args.cycles} cycles")
        jobs = [job(a, port, f"d{n}", n) for n, a in enumerate(addresses)]
        asyncio.run(fetch_all(jobs[:1]))  # warm up imports
        compared = jobs[: args.devices]
        show("ours end to end (asyncio)", our_cycles(compared, args.cycles))
        show("ours fetch only, threads 32", thread_pool_cycles(compared, args.cycles))
        show("snmpbulkwalk per column", snmpbulkwalk_cycle(addresses[: args.devices], port))
        show(
            "snmp_exporter if_mib",
            snmp_exporter_cycle(addresses[: args.devices], port, args.cycles, workdir),
        )
        if args.dead:
            dead_among_live(jobs[: args.live], args.dead, args.rounds)
    finally:
        victoria.stop()
        victoria.cleanup()
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)
        shutil.rmtree(_SPOOL, ignore_errors=True)


if __name__ == "__main__":
    main()
