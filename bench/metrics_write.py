"""Benchmark (not a test): metrics store write throughput and a day-long range read.

    DATABASE_URL=postgres://... python bench/metrics_write.py [--batches 10] [--skip-day]

1. Samples/s written in batches of 10,000 through our interface (store.write) to each
   back end, beside bare HTTP imports of the same payload straight into
   VictoriaMetrics in the same run, interleaved batch by batch: B renders the same
   Sample list to the same text with plain code and posts it (what a caller without our
   layer would do), C posts text built beforehand (the HTTP floor). Our layer's cost
   (validation, rendering, gzip, spool check, hooks) is the ratio to B; to C it is
   that plus the price of turning Python objects into text at all. A~ and C~ do A's
   and C's with measured values (all their digits, as rates and RTTs have), which cost
   a plain renderer four times as much to spell as the integral ones.
2. A 1-day query_range at 60 s step over 1,000 series on both back ends.

Starts its own VictoriaMetrics (tests/servers/victoria.py) on a free loopback port;
writes to the configured database under metric names starting with bench_, removed after.
"""

import argparse
import gc
import gzip
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
from monitoring.metrics.promtext import parse_numbered  # noqa: E402
from monitoring.metrics.push import device_samples  # noqa: E402
from monitoring.metrics.samples import Sample, Series, check_batch  # noqa: E402
from monitoring.metrics.store import get_store  # noqa: E402
from tests.servers.victoria import VictoriaServer  # noqa: E402

BATCH = 10_000
SERIES = 1_000


def batches(
    metric: str, count: int, t0: int, handles: bool = False, measured: bool = False
) -> list[list[Sample]]:
    """count batches; each holds 10 points of each of 1,000 series (100 devices x 10 ifs).

    handles: made as the producers make them (SNMP poller, ICMP monitor, Zabbix sync):
    one Series per series, held across batches, and series.sample(time, value).
    measured: values with all their digits, as rates and RTTs are (1234.5678901...),
    where the default ones are integral floats (13.0), the cheapest to spell.
    """
    labels = [
        {"device": f"D{d:03d}", "ip": f"10.0.{d}.1", "ifName": f"Gi0/{i}", "ifIndex": str(i)}
        for d in range(SERIES // 10)
        for i in range(10)
    ]
    series = [Series(metric, lbl) for lbl in labels]
    scale = 1e6 / 7 if measured else 1.0
    out = []
    for b in range(count):
        base = t0 + b * 10 * 60
        out.append(
            [
                series[j].sample(base + k * 60, ((k * 13 + j + b) % 97) * scale)
                if handles
                else Sample(metric, lbl, base + k * 60, ((k * 13 + j + b) % 97) * scale)
                for k in range(10)
                for j, lbl in enumerate(labels)
            ]
        )
    return out


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:>10,.0f} samples/s"


def plain_render(samples: list[Sample]) -> bytes:
    """The text a bare client would build from the same samples: no validation, no cache,
    no escaping (this bench's label values need none), each line formatted in full."""
    lines = []
    for s in samples:
        inner = ",".join([f'{k}="{v}"' for k, v in s.labels.items()])
        lines.append(f"{s.name}{{{inner}}} {s.value} {round(s.timestamp * 1000)}\n")
    return "".join(lines).encode()


def bench_writes(server: VictoriaServer, n_batches: int, spool: Path) -> None:
    now = int(time.time()) // 60 * 60
    print(f"\n== writes: {n_batches} batches of {BATCH:,} samples ({SERIES:,} series) ==")
    with override_settings(
        METRICS_BACKEND="victoriametrics", VICTORIA_URL=server.url, METRICS_SPOOL_DIR=spool
    ):
        vm = get_store()
        warm = batches("bench_write", 1, now - 86400 * 2)[0]
        vm.write(warm)  # series created in VictoriaMetrics' index by all paths alike
        # Each path writes its own, equally new points of the same 1,000 series.
        span = n_batches * 600 + 3600
        ours, plain, prebuilt, bare, ours_m, prebuilt_m = (
            batches("bench_write", n_batches, now - 86400 + j * span, j in (0, 4), measured=j > 3)
            for j in range(6)
        )
        assert plain_render(bare[0]) == vm.render(bare[0]), "not the same payload"
        assert float(plain_render(prebuilt_m[0]).split()[1]) == prebuilt_m[0][0].value
        bodies = [plain_render(b) for b in prebuilt]
        bodies_m = [vm.render(b) for b in prebuilt_m]  # what A~ sends: the same text
        # The prebuilt data is not what a worker holds: keep the collector off it, so a
        # full collection over 1.2 M samples lands on no path's batch.
        gc.collect()
        gc.freeze()
        session = requests.Session()  # kept alive, like our store's session
        url = f"{server.url}/api/v1/import/prometheus"

        def post(body: bytes) -> None:
            resp = session.post(url, data=body, headers={"Content-Type": "text/plain"})
            assert resp.status_code == 204, resp.text

        paths = {
            "ours": lambda i: vm.write(ours[i]),
            "plain": lambda i: vm.write(plain[i]),
            "prebuilt": lambda i: post(bodies[i]),
            "bare": lambda i: post(plain_render(bare[i])),
            "ours_m": lambda i: vm.write(ours_m[i]),
            "prebuilt_m": lambda i: post(bodies_m[i]),
        }
        times: dict[str, list[float]] = {name: [] for name in paths}
        for i in range(n_batches):  # interleaved, the order rotated: the same server state
            order = list(paths)[i % len(paths) :] + list(paths)[: i % len(paths)]
            for name in order:
                started = time.perf_counter()
                paths[name](i)
                times[name].append(time.perf_counter() - started)
        n = n_batches * BATCH
        total = {name: sum(t) for name, t in times.items()}
        median = {name: statistics.median(t) * 1000 for name, t in times.items()}
        print(
            f"A our store.write, Series.sample()s (producers)  {rate(n, total['ours'])}  "
            f"(median batch {median['ours']:.1f} ms; gzip {'on' if vm.gzip else 'off: loopback'})"
        )
        print(
            f"A' our store.write, plain Samples (push import)  {rate(n, total['plain'])}  "
            f"(median batch {median['plain']:.1f} ms)"
        )
        print(
            f"B bare import: render the Samples plainly + POST {rate(n, total['bare'])}  "
            f"(median batch {median['bare']:.1f} ms)"
        )
        print(
            f"C bare import: POST of text built beforehand     {rate(n, total['prebuilt'])}  "
            f"(median batch {median['prebuilt']:.1f} ms, body {len(bodies[0]) / 1024:.0f} KiB)"
        )
        print(
            f"A~ our store.write, Series samples, measured values {rate(n, total['ours_m'])}  "
            f"(median batch {median['ours_m']:.1f} ms)"
        )
        print(
            f"C~ bare import: POST of the same text built before {rate(n, total['prebuilt_m'])}  "
            f"(median batch {median['prebuilt_m']:.1f} ms, body {len(bodies_m[0]) / 1024:.0f} KiB)"
        )
        print(
            "  A and B start from the same Sample list and send byte-identical text on a kept-"
            "alive\n  session; B skips validation, spool, hooks and gzip and renders without a"
            " cache.\n  C is the HTTP floor: no text building at all."
        )
        for ours_label, mine, label, base in (
            ("A", "ours", "B (bare import, same input)", "bare"),
            ("A", "ours", "C (HTTP floor)", "prebuilt"),
            ("A'", "plain", "B (bare import, same input)", "bare"),
            ("A'", "plain", "C (HTTP floor)", "prebuilt"),
            ("A~", "ours_m", "C~ (HTTP floor, measured values)", "prebuilt_m"),
        ):
            ratio = total[mine] / total[base]
            print(
                f"{ours_label:2} our layer vs {label}: {ratio:.2f}x time "
                f"({(ratio - 1) * 100:+.0f}%; medians {median[mine] / median[base]:.2f}x)"
            )
        print(
            "  Totals swing run to run with VictoriaMetrics' background merges (whichever\n"
            "  path's batch they land on); the medians are the steadier comparison."
        )
        print("  per 10,000-sample batch, measured apart (best of 3):")
        checked = check_batch(ours[0])
        body = vm.render(ours[0], checked)
        checked_m = check_batch(ours_m[0])
        # POST /api/v1/metrics/import's work before store.write, on a body of known series
        pushed = vm.render([Sample(s.name, s.labels, s.timestamp, s.value) for s in plain[0]])
        pushed = pushed.decode().replace(',ip="', ',was_ip="')
        ips = {s.labels["device"]: s.labels["ip"] for s in plain[0]}
        device_samples(parse_numbered(pushed), ips)
        parts = {
            "A: validation": lambda: check_batch(ours[0]),
            "A': validation": lambda: check_batch(plain[0]),
            "A: rendering": lambda: vm.render(ours[0], checked),
            "A~: validation": lambda: check_batch(ours_m[0]),
            "A~: rendering": lambda: vm.render(ours_m[0], checked_m),
            "B~: plain rendering": lambda: plain_render(ours_m[0]),
            "B: plain rendering": lambda: plain_render(ours[0]),
            "gzip level 1 (off here)": lambda: gzip.compress(body, compresslevel=1),
            "push import: parse+ips": lambda: device_samples(parse_numbered(pushed), ips),
        }
        for name, fn in parts.items():
            best = []
            for _ in range(3):
                started = time.perf_counter()
                fn()
                best.append(time.perf_counter() - started)
            print(f"    {name:24} {min(best) * 1000:5.1f} ms")

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
    parser.add_argument("--batches", type=int, default=20)
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
