"""Nothing lost: VictoriaMetrics goes away, samples are spooled, then replayed in order."""

import json

import requests
from django.test import override_settings

from monitoring.metrics.samples import Sample
from monitoring.metrics.spool import Spool
from monitoring.metrics.store import get_store, replay_spool
from tests.servers.victoria import VictoriaServer

from .test_contract import T0


def exported(server: VictoriaServer, metric: str) -> dict[tuple, list]:
    resp = requests.get(f"{server.url}/api/v1/export", params={"match[]": metric}, timeout=30)
    resp.raise_for_status()
    out = {}
    for line in resp.text.splitlines():
        row = json.loads(line)
        key = tuple(sorted((k, v) for k, v in row["metric"].items() if k != "__name__"))
        out[key] = list(zip(row["timestamps"], row["values"], strict=True))
    return out


def test_samples_written_during_an_outage_are_all_replayed_with_their_times(tmp_path, metric):
    server = VictoriaServer(data_dir=tmp_path / "vm").start()
    spool_dir = tmp_path / "spool"
    try:
        with override_settings(
            METRICS_BACKEND="victoriametrics",
            VICTORIA_URL=server.url,
            METRICS_SPOOL_DIR=spool_dir,
        ):
            store = get_store()
            server.stop()
            samples = [
                Sample(metric, {"device": f"R{i % 50}", "ip": "10.0.0.1"}, T0 + i // 50, i)
                for i in range(10_000)
            ]
            for n in range(10):  # ten batches of 1,000, as ten poll cycles would write
                store.write(samples[n * 1000 : (n + 1) * 1000])
            assert Spool(spool_dir, 10**9).depth()[0] == 10

            server.start()  # same port, same data directory
            assert replay_spool() is True
            assert Spool(spool_dir, 10**9).depth() == (0, 0)
            server.flush()
            got = exported(server, metric)
    finally:
        server.cleanup()
    assert sum(len(points) for points in got.values()) == 10_000
    for i in range(50):
        points = got[(("device", f"R{i}"), ("ip", "10.0.0.1"))]
        want = [((T0 + j // 50) * 1000, float(j)) for j in range(i, 10_000, 50)]
        assert sorted(points) == want


def test_a_write_while_older_batches_wait_goes_behind_them(tmp_path, metric, victoria):
    spool_dir = tmp_path / "spool"
    with override_settings(
        METRICS_BACKEND="victoriametrics",
        VICTORIA_URL="http://127.0.0.1:9",  # nothing listens on the discard port
        METRICS_SPOOL_DIR=spool_dir,
    ):
        get_store().write([Sample(metric, {"device": "R1"}, T0, 1.0)])
    spool = Spool(spool_dir, 10**9)
    assert spool.depth()[0] == 1
    with override_settings(
        METRICS_BACKEND="victoriametrics", VICTORIA_URL=victoria.url, METRICS_SPOOL_DIR=spool_dir
    ):
        get_store().write([Sample(metric, {"device": "R1"}, T0 + 60, 2.0)])
    assert spool.depth() == (0, 0)
    victoria.flush()
    assert exported(victoria, metric)[(("device", "R1"),)] == [
        (T0 * 1000, 1.0),
        ((T0 + 60) * 1000, 2.0),
    ]
