"""Benchmark: discovery of a /20 of loopback (4,096 addresses) with 20 simulated agents.

Run as root (raw ICMP, snmpsim on 127.x):  .venv/bin/python bench/discovery_sweep.py
Prints the machine, then wall times of, in the same run:
  * our sweep alone (monitoring.icmp.sweep through discovery.scanner settings: 1 echo, 1 s),
  * ``fping -g`` of the same range, tuned (-i0 -r0 -t1000: same work as ours) and default,
  * our classification of the 20 agents (SNMP GET of sysDescr/sysObjectID/sysName + rules),
  * our whole scan (sweep + probe + classify of every live host; all of 127/8 answers ICMP,
    so that means 4,094 SNMP probes, 20 of which answer).
Targets: sweep within 1.5x of fping; classification of 20 agents under 2 s.
Packets go to loopback only. Every tool has a hard timeout.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wardflux.settings")

import django  # noqa: E402

django.setup()

from bench.machine import machine  # noqa: E402
from discovery.classifier import CredentialSpec, classify, probe_all  # noqa: E402
from discovery.scanner import ScanOptions, expand, scan  # noqa: E402
from monitoring.icmp.sweep import sweep  # noqa: E402
from tests.discovery.lab import COMMUNITY, SimLab  # noqa: E402

KINDS = [
    "cisco-ios-router", "cisco-catalyst-switch", "juniper-mx", "mikrotik-router",
    "linux-server", "windows-server", "hp-printer", "fortigate-firewall",
]  # fmt: skip
AGENTS = 20
REPEAT = 5
TOOL_TIMEOUT_S = 120
OPTIONS = ScanOptions(count=1, timeout_s=1.0, reverse_dns=False)  # default rate_pps


def timed(fn, repeat: int = 1):
    """Median wall time of ``repeat`` runs, and the last run's value."""
    times, value = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), value


def fping(cidr: str, tuned: bool) -> int:
    args = ["fping", "-g", cidr, "-a", "-q"]
    if tuned:
        args += ["-i0", "-r0", "-t1000"]
    done = subprocess.run(args, capture_output=True, text=True, timeout=TOOL_TIMEOUT_S)
    return len(done.stdout.split())


def our_sweep(addresses: list[str], rate_pps: float = OPTIONS.rate_pps) -> int:
    results = asyncio.run(
        sweep(addresses, count=OPTIONS.count, timeout_s=OPTIONS.timeout_s, rate_pps=rate_pps)
    )
    return sum(r.is_alive for r in results.values())


def classify_agents(addresses: list[str], spec: CredentialSpec) -> dict[str, str]:
    answers = asyncio.run(probe_all(addresses, [spec]))
    return {a: classify(x.sys_object_id, x.sys_descr).device_type for a, x in answers.items()}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-default-fping", action="store_true", help="it takes ~45 s")
    args = parser.parse_args()
    if os.geteuid() != 0 or shutil.which("fping") is None:
        print("run as root with fping installed (apt-get install fping)")
        return 2
    base = f"127.22.{random.randrange(0, 16) * 16}"
    cidr = f"{base}.0/20"
    addresses = expand([cidr])
    agent_addresses = random.Random(1).sample(addresses, AGENTS)
    print(f"machine: {machine()}")
    print(f"python {platform.python_version()}; range {cidr}: {len(addresses)} addresses "
          f"(network and broadcast skipped); {AGENTS} snmpsim agents")  # fmt: skip
    lab = SimLab({a: KINDS[i % len(KINDS)] for i, a in enumerate(agent_addresses)})
    started, _ = timed(lab.start)
    print(f"agents started in {started:.1f} s on UDP port {lab.port}\n")
    spec = CredentialSpec(0, {"port": lab.port, "version": "v2c", "community": COMMUNITY})
    try:
        rows = []
        t, alive = timed(lambda: our_sweep(addresses), REPEAT)
        rate_k = OPTIONS.rate_pps // 1000
        rows.append((f"ours: sweep (1 echo, 1 s timeout, {rate_k:.0f}k pps)", t, f"{alive} alive"))
        t_old, alive = timed(lambda: our_sweep(addresses, 20_000), REPEAT)
        rows.append(("ours: sweep at 20k pps (the old default)", t_old, f"{alive} alive"))
        t_fping, alive = timed(lambda: fping(cidr, tuned=True), REPEAT)
        rows.append(("fping -g -i0 -r0 -t1000 (same work)", t_fping, f"{alive} alive"))
        if not args.skip_default_fping:
            t_default, alive = timed(lambda: fping(cidr, tuned=False))
            rows.append(("fping -g (defaults: -i10 -r3)", t_default, f"{alive} alive"))
        t_cls, types = timed(lambda: classify_agents(agent_addresses, spec), REPEAT)
        unknown = sum(1 for v in types.values() if v == "unknown")
        rows.append((f"ours: classify {AGENTS} agents", t_cls, f"{len(types)} answered, "
                     f"{unknown} unknown"))  # fmt: skip
        t_scan, found = timed(lambda: asyncio.run(scan(addresses, [spec], options=OPTIONS)))
        answered = sum(1 for h in found if h.answer)
        rows.append(("ours: whole scan (sweep + probe all live)", t_scan,
                     f"{len(found)} live, {answered} SNMP"))  # fmt: skip
        for name, seconds, note in rows:
            print(f"{name:44} {seconds:8.2f} s   {note}")
        sweep_s = rows[0][1]
        print(f"\n(medians of {REPEAT} runs where marked; scan and fping defaults: 1 run)")
        print(f"sweep / fping(tuned) = {sweep_s / t_fping:.2f}  (target <= 1.5)")
        print(f"(sweep + classify) / fping(tuned) = {(sweep_s + t_cls) / t_fping:.2f}")
        print(f"sweep at 20k pps (old default) / fping(tuned) = {t_old / t_fping:.2f}")
        if not args.skip_default_fping:
            print(f"sweep / fping(defaults) = {sweep_s / t_default:.3f}")
        print(f"classification of {AGENTS} agents: {t_cls:.2f} s  (target < 2 s)")
    finally:
        lab.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
