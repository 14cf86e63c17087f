"""Benchmark: our SNMP client vs net-snmp's snmpbulkwalk on the same local snmpd.

    .venv/bin/python -m bench.snmp_client [--seconds 5]

Not a test. Prints the machine and GETs/s and bulk-walk varbinds/s.
"""

import argparse
import asyncio
import subprocess
import time

from bench.machine import machine
from monitoring.snmp import SnmpSession, SnmpTarget
from tests.servers.snmpd import start_snmpd, stop_snmpd

WALK_ROOT = "1.3.6.1.2.1"
GET_OIDS = ["1.3.6.1.2.1.1.3.0"]


async def gets_per_s(target: SnmpTarget, seconds: float, concurrency: int) -> float:
    async with SnmpSession(target, max_in_flight=concurrency) as session:
        deadline, done = time.monotonic() + seconds, 0

        async def worker() -> int:
            count = 0
            while time.monotonic() < deadline:
                await session.get(GET_OIDS)
                count += 1
            return count

        started = time.monotonic()
        done = sum(await asyncio.gather(*(worker() for _ in range(concurrency))))
        return done / (time.monotonic() - started)


async def walk_varbinds_per_s(target: SnmpTarget, rounds: int, reps: int) -> tuple[float, int]:
    async with SnmpSession(target) as session:
        started, total = time.monotonic(), 0
        for _ in range(rounds):
            total += len(await session.bulk_walk(WALK_ROOT, max_repetitions=reps))
        return total / (time.monotonic() - started), total // rounds


def snmpbulkwalk_varbinds_per_s(target: SnmpTarget, rounds: int, reps: int) -> float:
    cmd = ["snmpbulkwalk", "-v2c", "-c", target.community, f"-Cr{reps}", "-On", "-Oq"]
    cmd += [f"{target.address}:{target.port}", WALK_ROOT]
    started, total = time.monotonic(), 0
    for _ in range(rounds):
        out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=60).stdout
        total += len(out.splitlines())
    return total / (time.monotonic() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--reps", type=int, default=25)
    args = parser.parse_args()
    server = start_snmpd()
    try:
        target = SnmpTarget(server.address, server.port, community=server.community, timeout_s=5)
        print(machine())
        print(f"net-snmp snmpd on {server.address}:{server.port}, v2c, max-repetitions {args.reps}")
        for concurrency in (1, 4):
            rate = asyncio.run(gets_per_s(target, args.seconds, concurrency))
            print(f"client GET (1 varbind), {concurrency} in flight: {rate:,.0f} GETs/s")
        ours, rows = asyncio.run(walk_varbinds_per_s(target, args.rounds, args.reps))
        print(f"client bulk_walk {WALK_ROOT} ({rows} varbinds): {ours:,.0f} varbinds/s")
        theirs = snmpbulkwalk_varbinds_per_s(target, args.rounds, args.reps)
        print(f"snmpbulkwalk     {WALK_ROOT}: {theirs:,.0f} varbinds/s (incl. process start)")
    finally:
        stop_snmpd(server)


if __name__ == "__main__":
    main()
