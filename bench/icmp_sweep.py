"""Benchmark: our one-socket sweep vs fping vs icmplib.async_multiping, on loopback only.

Run as root: .venv/bin/python bench/icmp_sweep.py [--repeat 5] [--quick]
Targets are 127.1.0.0/16 (every 127/8 address answers on Linux loopback). fping runs through
subprocess here only (this is a bench, not product code). Each run checks that every address
answered exactly ``count`` times. Bounded: each tool has a hard timeout; total well < 3 min.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from icmplib import async_multiping  # noqa: E402

from bench.machine import machine
from monitoring.icmp.sweep import DEFAULT_RATE_PPS, sweep  # noqa: E402

SIZES = (1_000, 10_000)
INTERVAL_MS = 200  # between rounds to one host, for count=3 (fping -p)
TIMEOUT_S = 1.0
TOOL_TIMEOUT_S = 60
OURS = f"ours (default rate {DEFAULT_RATE_PPS // 1000}k pps)"
OLD_RATE = "ours (rate 20k pps, the old default)"
FPING_LINE = re.compile(r"^(\S+)\s+:\s+xmt/rcv/%loss = (\d+)/(\d+)/")


def addresses(n: int) -> list[str]:
    return [f"127.1.{i // 256}.{i % 256}" for i in range(1, n + 1)]


def cpu_s(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def measure(run) -> tuple[float, float, float, dict[str, int]]:
    """Return wall s, own CPU s, children CPU s, and replies per address."""
    wall0, self0, kids0 = (
        time.perf_counter(),
        cpu_s(resource.RUSAGE_SELF),
        cpu_s(resource.RUSAGE_CHILDREN),
    )
    received = run()
    return (
        time.perf_counter() - wall0,
        cpu_s(resource.RUSAGE_SELF) - self0,
        cpu_s(resource.RUSAGE_CHILDREN) - kids0,
        received,
    )


def run_ours(targets: list[str], count: int, rate_pps: int = DEFAULT_RATE_PPS):
    def run() -> dict[str, int]:
        results = asyncio.run(
            sweep(
                targets, count=count, interval_ms=INTERVAL_MS, timeout_s=TIMEOUT_S,
                rate_pps=rate_pps,
            )
        )  # fmt: skip
        dups = sum(r.duplicates for r in results.values())
        assert dups == 0, f"{dups} duplicated replies"
        return {a: r.received for a, r in results.items()}

    return run


def run_fping(targets: list[str], count: int):
    def run() -> dict[str, int]:
        args = ["fping", "-q", f"-c{count}", "-i0", "-t", str(int(TIMEOUT_S * 1000))]
        if count > 1:
            args += ["-p", str(INTERVAL_MS)]
        done = subprocess.run(
            args,
            input="\n".join(targets),
            capture_output=True,
            text=True,
            timeout=TOOL_TIMEOUT_S,
        )
        received = {}
        for line in done.stderr.splitlines():
            m = FPING_LINE.match(line)
            if m:
                received[m.group(1)] = int(m.group(3))
        return received

    return run


def run_multiping(targets: list[str], concurrent: int):
    def run() -> dict[str, int]:
        hosts = asyncio.run(
            async_multiping(
                targets, count=1, timeout=TIMEOUT_S, concurrent_tasks=concurrent, privileged=True
            )
        )
        return {h.address: h.packets_received for h in hosts}

    return run


def check(targets: list[str], count: int, received: dict[str, int]) -> str:
    missing = [a for a in targets if received.get(a, 0) < count]
    extra = [a for a in targets if received.get(a, 0) > count]
    foreign = set(received) - set(targets)
    if not (missing or extra or foreign):
        return "all answered exactly once" if count == 1 else f"all answered {count}x"
    return f"MISMATCH: {len(missing)} short, {len(extra)} over, {len(foreign)} foreign"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of each ours/fping row (median shown)"
    )
    parser.add_argument("--quick", action="store_true", help="one echo only, no icmplib")
    args = parser.parse_args()
    if os.geteuid() != 0 or shutil.which("fping") is None:
        print("run as root with fping installed (apt-get install fping)")
        return 2
    print(f"machine: {machine()}")
    print(f"python {platform.python_version()}, fping from {shutil.which('fping')}\n")
    header = f"{'tool':34} {'hosts':>6} {'cnt':>3} {'wall s':>7} {'cpu s':>6}  check"
    print(header)
    print("-" * len(header))
    rows: dict[tuple, tuple[float, float]] = {}
    plan = []
    for n in SIZES:
        targets = addresses(n)
        plan += [
            (OURS, n, 1, run_ours(targets, 1)),
            (OLD_RATE, n, 1, run_ours(targets, 1, 20_000)),
            ("fping -c1 -i0 -q", n, 1, run_fping(targets, 1)),
        ]
        if args.quick:
            continue
        plan.append(("icmplib async_multiping (50 tasks)", n, 1, run_multiping(targets, 50)))
        if n == SIZES[-1]:
            plan.append(("icmplib async_multiping (500)", n, 1, run_multiping(targets, 500)))
        plan += [
            (OURS, n, 3, run_ours(targets, 3)),
            (OLD_RATE, n, 3, run_ours(targets, 3, 20_000)),
            (f"fping -c3 -p{INTERVAL_MS} -i0 -q", n, 3, run_fping(targets, 3)),
        ]
    bench_started = time.monotonic()
    for name, n, count, run in plan:
        runs = 1 if name.startswith("icmplib") else max(1, args.repeat)
        walls, cpus, verdicts = [], [], []
        for _ in range(runs):
            wall, own, kids, received = measure(run)
            walls.append(wall)
            cpus.append(own + kids)  # our process for in-process tools, children for fping
            verdicts.append(check(addresses(n), count, received))
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        rows[(name, n, count)] = (wall, cpu)
        bad = [v for v in verdicts if v.startswith("MISMATCH")]
        verdict = bad[0] if bad else verdicts[0]
        print(f"{name:34} {n:>6} {count:>3} {wall:7.2f} {cpu:6.2f}  {verdict}")
        if time.monotonic() - bench_started > 150:
            print("stopping: bench time bound reached")
            break
    if args.repeat > 1:
        print(f"(ours and fping: medians of {args.repeat} runs; the check holds for every run)")
    print("\nratios (other / ours; >1 means ours is faster or cheaper):")
    for (name, n, count), (wall, cpu) in rows.items():
        ours = rows.get((OURS, n, count))
        if ours is None or name.startswith("ours"):
            continue
        print(
            f"  {name:34} {n:>6} x{count}: wall {wall / ours[0]:5.2f}  "
            f"cpu {cpu / max(ours[1], 1e-3):5.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
