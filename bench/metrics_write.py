"""Benchmark (not a test): metrics store write throughput and a day-long range read.

    DATABASE_URL=postgres://... python bench/metrics_write.py [--batches 10] [--skip-day]

1. Samples/s written in batches of 10,000 through our interface (store.write) to each
   back end, beside a bare HTTP import of the same payload straight into
   VictoriaMetrics in the same run; the ratio is the cost of our layer
   (validation, rendering, gzip, spool check, hooks).
2. A 1-day query_range at 60 s step over 1,000 series on both back ends.

Starts its own VictoriaMetrics (tests/servers/victoria.py) on a free loopback port;
writes to the configured database under metric names starting with bench_, removed after.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wardflux.settings")
os.environ.setdefault("WARD_VAR_DIR", tempfile.mkdtemp(prefix="wf-bench-var-"))

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from bench.machine import machine  # noqa: E402
from monitoring.metrics.models import MetricSeries  # noqa: E402
from monitoring.metrics.samples import Sample  # noqa: E402
from monitoring.metrics.store import get_store  # noqa: E402
from tests.servers.victoria import VictoriaServer  # noqa: E402

BATCH = 10_000
SERIES = 1_000


def batches(metric: str, count: int, t0: int) -> list[list[Sample]]:
    """count batches; each holds 10 points of each of 1,000 series (100 devices x 10 ifs)."""
    labels = [
        {"device": f"D{d:03d}", "ip": f"10.0.{d}.1", "ifName": f"Gi0/{i}", "ifIndex": str(i)}
        for d in range(SERIES // 10)
        for i in range(10)
    ]
    out = []
    for b in range(count):
        base = t0 + b * 10 * 60
        out.append(
            [
                Sample(metric, lbl, base + k * 60, float((k * 13 + j) % 97))
                for k in range(10)
                for j, lbl in enumerate(labels)
            ]
        )
    return out


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:>10,.0f} samples/s"


def bench_writes(server: VictoriaServer, n_batches: int, spool: Path) -> None:
    now = int(time.time()) // 60 * 60
    print(f"\n== writes: {n_batches} batches of {BATCH:,} samples ({SERIES:,} series) ==")
    with override_settings(
        METRICS_BACKEND="victoriametrics", VICTORIA_URL=server.url, METRICS_SPOOL_DIR=spool
    ):
        vm = get_store()
        warm = batches("bench_write", 1, now - 86400 * 2)[0]
        vm.write(warm)  # series created in VictoriaMetrics' index by both paths alike
        ours = batches("bench_write", n_batches, now - 86400)
        bare_batches = batches("bench_write", n_batches, now - 43200)
        bare_bodies = [vm.render(b) for b in bare_batches]  # the same text, prepared beforehand
        session = requests.Session()
        t_ours, t_bare, t_bare_gz = [], [], []
        import gzip

        for i in range(n_batches):  # interleaved, so both see the same server state
            started = time.perf_counter()
            vm.write(ours[i])
            t_ours.append(time.perf_counter() - started)
            started = time.perf_counter()
            resp = session.post(f"{server.url}/api/v1/import/prometheus", data=bare_bodies[i])
            t_bare.append(time.perf_counter() - started)
            assert resp.status_code == 204, resp.text
            gz = gzip.compress(bare_bodies[i], compresslevel=1)
            started = time.perf_counter()
            resp = session.post(
                f"{server.url}/api/v1/import/prometheus",
                data=gz,
                headers={"Content-Encoding": "gzip"},
            )
            t_bare_gz.append(time.perf_counter() - started)
        n = n_batches * BATCH
        ours_s, bare_s, gz_s = sum(t_ours), sum(t_bare), sum(t_bare_gz)
        print(
            f"victoriametrics, our store.write      {rate(n, ours_s)}  "
            f"(median batch {statistics.median(t_ours) * 1000:.1f} ms)"
        )
        print(
            f"victoriametrics, bare HTTP import     {rate(n, bare_s)}  "
            f"(median batch {statistics.median(t_bare) * 1000:.1f} ms, "
            f"body {len(bare_bodies[0]) / 1024:.0f} KiB)"
        )
        print(
            f"victoriametrics, bare import, gzipped {rate(n, gz_s)}  "
            f"(pre-compressed, {len(gz) / 1024:.0f} KiB)"
        )
        print(
            f"our layer vs bare import: {ours_s / bare_s:.2f}x time "
            f"({(ours_s / bare_s - 1) * 100:+.0f}%)"
        )
        started = time.perf_counter()
        for b in ours[:3]:
            vm.render(b)
        render_ms = (time.perf_counter() - started) / 3 * 1000
        print(f"  of which rendering 10,000 samples to text: {render_ms:.1f} ms per batch")

    with override_settings(METRICS_BACKEND="sql", METRICS_SPOOL_DIR=spool):
        sql = get_store()
        sql.write(batches("bench_write", 1, now - 86400 * 2)[0])
        data = batches("bench_write", n_batches, now - 86400 + 7200)
        times = []
        for b in data:
            started = time.perf_counter()
            sql.write(b)
            times.append(time.perf_counter() - started)
        print(
            f"sql ({connection.vendor}), our store.write   {rate(n_batches * BATCH, sum(times))}  "
            f"(median batch {statistics.median(times) * 1000:.1f} ms)"
        )


def bench_day_range(server: VictoriaServer, spool: Path) -> None:
    end = int(time.time()) // 60 * 60
    start = end - 86400
    print(f"\n== 1-day query_range, 60 s step, {SERIES:,} series (1,440 points each) ==")
    day = batches("bench_day", 144, start + 60)  # 144 x 10 minutes = 24 h, 1.44 M samples
    for backend in ("victoriametrics", "sql"):
        with override_settings(
            METRICS_BACKEND=backend, VICTORIA_URL=server.url, METRICS_SPOOL_DIR=spool
        ):
            store = get_store()
            started = time.perf_counter()
            for b in day:
                store.write(b)
            load_s = time.perf_counter() - started
            if backend == "victoriametrics":
                server.flush()
            latencies = []
            for _ in range(5):
                started = time.perf_counter()
                result = store.query_range("bench_day", {}, start, end, 60, agg="avg")
                latencies.append(time.perf_counter() - started)
            points = sum(len(s["values"]) for s in result)
            print(
                f"{backend:16} loaded 1.44 M samples in {load_s:5.1f} s; query_range: "
                f"median {statistics.median(latencies) * 1000:7.0f} ms, "
                f"best {min(latencies) * 1000:7.0f} ms ({len(result)} series, {points:,} points)"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--skip-day", action="store_true")
    args = parser.parse_args()
    print(machine())
    spool = Path(tempfile.mkdtemp(prefix="wf-bench-spool-"))
    try:
        with VictoriaServer() as server:
            bench_writes(server, args.batches, spool)
            if not args.skip_day:
                bench_day_range(server, spool)
    finally:
        MetricSeries.objects.filter(name__startswith="bench_").delete()


if __name__ == "__main__":
    main()
