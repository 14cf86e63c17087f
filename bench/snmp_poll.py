"""Benchmark: our polling engine vs snmpbulkwalk vs Prometheus' snmp_exporter, same snmpd.

    /tmp/probe/bin/python -m bench.snmp_poll [--devices 50] [--dead 5] [--cycles 3]

Not a test. One net-snmp snmpd answers on N loopback addresses (127.0.1.x); every
tool asks each address for the generic template's columns. Figures: varbinds per
CPU-second of the poller's own process (children for snmpbulkwalk, the exporter's
process for snmp_exporter). Our figure covers fetch, decode, counter rates and
samples; it stops before the metrics store (not on this branch) and the database.
"""

import argparse
import asyncio
import os
import re
import resource
import shutil
import subprocess
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wardflux.settings")
django.setup()

from bench.machine import machine  # noqa: E402
from monitoring.default_templates import HOST_RESOURCES, INTERFACES, SYSTEM  # noqa: E402
from monitoring.polling import PollJob, fetch, fetch_all  # noqa: E402
from monitoring.snmp import SnmpTarget  # noqa: E402
from monitoring.snmp.mapping import ItemSpec, interpret, rate_samples  # noqa: E402
from tests.servers.ports import free_tcp_port, free_udp_port  # noqa: E402
from tests.servers.snmpd import ensure_snmpd, snmpd_config  # noqa: E402

COMMUNITY = "public"  # what Debian's snmp_exporter if_mib module sends
ITEMS = [
    ItemSpec(k, oid, str(vt)) for k, _n, oid, vt, _u, _i in SYSTEM + INTERFACES + HOST_RESOURCES
]


def start_snmpd(addresses: list[str], port: int) -> tuple[subprocess.Popen, Path]:
    workdir = Path(tempfile.mkdtemp(prefix="wardflux-bench-"))
    conf = snmpd_config(addresses[0], port, COMMUNITY, ())
    listen = ",".join(f"udp:{a}:{port}" for a in addresses)
    conf = re.sub(r"^agentAddress .*$", f"agentAddress {listen}", conf, flags=re.M)
    conf = conf.replace(
        f"rocommunity {COMMUNITY} 127.0.0.1", f"rocommunity {COMMUNITY} 127.0.0.0/8"
    )
    (workdir / "snmpd.conf").write_text(conf)
    env = {"PATH": "/usr/bin:/bin", "SNMPCONFPATH": str(workdir), "MIBS": ""}
    env["SNMP_PERSISTENT_DIR"] = str(workdir)
    cmd = [str(ensure_snmpd()), "-f", "-Lo", "-C", "-c", str(workdir / "snmpd.conf")]
    cmd += ["-I", "-hrSWRunTable,hrSWInstalledTable"]
    log = (workdir / "log").open("w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    time.sleep(1.5)
    return proc, workdir


def job(address: str, port: int, name: str) -> PollJob:
    target = SnmpTarget(address, port, "v2c", COMMUNITY, timeout_s=2.0, retries=1)
    return PollJob(0, name, address, 60, ITEMS, target, deadline_s=30)


def varbinds(raw) -> int:
    return len(raw.scalars) + sum(len(c) for c in raw.columns.values())


def our_cycles(jobs: list[PollJob], cycles: int) -> dict:
    """Our engine: one asyncio loop, all devices in flight, rates against the last cycle."""
    states: dict[str, dict] = {j.name: {} for j in jobs}
    cpu0, wall0, total, samples = time.process_time(), time.monotonic(), 0, 0
    live_durations = []
    for _ in range(cycles):
        raws = asyncio.run(fetch_all(jobs))
        for j, raw in zip(jobs, raws, strict=True):
            if not raw.answered:
                continue
            total += varbinds(raw)
            live_durations.append(raw.duration_s)
            out = interpret(
                {"name": j.name, "ip": j.ip}, ITEMS, raw.scalars, raw.columns, raw.times_ms
            )
            rates, _counts = rate_samples(out, states[j.name])
            states[j.name] = {r.name: r.current for r in out.counters}
            samples += len(out.samples) + len(rates)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=50)
    parser.add_argument("--dead", type=int, default=5)
    parser.add_argument("--cycles", type=int, default=3)
    args = parser.parse_args()
    addresses = [f"127.0.1.{n}" for n in range(1, args.devices + 1)]
    port = free_udp_port()
    proc, workdir = start_snmpd(addresses, port)
    silent = []
    try:
        print(machine())
        print(f"{args.devices} live targets (one snmpd), {len(ITEMS)} items, {args.cycles} cycles")
        jobs = [job(a, port, f"d{n}") for n, a in enumerate(addresses)]
        asyncio.run(fetch_all(jobs[:1]))  # warm up imports
        show("ours (asyncio, 1 process)", our_cycles(jobs, args.cycles))
        show("ours (thread pool of 32)", thread_pool_cycles(jobs, args.cycles))
        show("snmpbulkwalk per column", snmpbulkwalk_cycle(addresses, port))
        show("snmp_exporter if_mib", snmp_exporter_cycle(addresses, port, args.cycles, workdir))
        import socket

        for _ in range(args.dead):
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.bind(("127.0.0.1", 0))
            silent.append(sock)
        dead = [job("127.0.0.1", s.getsockname()[1], f"dead{n}") for n, s in enumerate(silent)]
        show(f"ours with {args.dead} dead", our_cycles(jobs + dead, 1))
        show("ours without dead", our_cycles(jobs, 1))
    finally:
        for sock in silent:
            sock.close()
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
