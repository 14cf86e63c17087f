"""Batches over STREAM_CHUNK_SAMPLES go to VictoriaMetrics as a chunked body, rendered
while it parses the chunks before: they arrive whole, and a cut mid-stream spools all."""

import socket
import threading

from django.test import override_settings

from monitoring.metrics.samples import Sample, check_batch
from monitoring.metrics.spool import Spool
from monitoring.metrics.store import get_store, replay_spool
from monitoring.metrics.victoria import STREAM_CHUNK_SAMPLES

from .test_contract import T0
from .test_outage import exported

N = 3 * STREAM_CHUNK_SAMPLES + 500  # three full chunks and a partial one


def batch(metric: str) -> list[Sample]:
    """50 series, each with ms-precise times and values of both number types."""
    return [
        Sample(
            metric,
            {"device": f"R{i % 50}", "ip": "10.0.0.1"},
            T0 + i // 50 + (i % 1000) / 1000,
            i if i % 2 else i / 8,  # VictoriaMetrics keeps ~12 significant digits
        )
        for i in range(N)
    ]


def want(samples: list[Sample]) -> dict[tuple, list]:
    out: dict[tuple, list] = {}
    for s in samples:
        key = tuple(sorted(s.labels.items()))
        out.setdefault(key, []).append((round(s.timestamp * 1000), float(s.value)))
    return {key: sorted(points) for key, points in out.items()}


def test_a_multi_chunk_batch_arrives_complete_with_exact_times(db, settings, tmp_path, victoria):
    settings.METRICS_BACKEND = "victoriametrics"
    settings.VICTORIA_URL = victoria.url
    settings.METRICS_SPOOL_DIR = tmp_path / "spool"
    store = get_store()
    plain, packed = batch("t_stream_plain"), batch("t_stream_gzip")
    assert len(list(store.chunks(plain, check_batch(plain)))) == 4
    store.write(plain)
    store.gzip = True  # as if VictoriaMetrics were across a network: per-chunk gzip
    try:
        store.write(packed)
    finally:
        store.gzip = False
    assert Spool(tmp_path / "spool", 10**9).depth() == (0, 0)
    victoria.flush()
    for metric, samples in (("t_stream_plain", plain), ("t_stream_gzip", packed)):
        got = {key: sorted(points) for key, points in exported(victoria, metric).items()}
        assert got == want(samples)


class CuttingProxy:
    """Loopback TCP proxy to VictoriaMetrics that forwards a request's first `limit`
    bytes, then resets both connections: a link lost in the middle of a body."""

    def __init__(self, target_port: int, limit: int):
        self.target_port, self.limit = target_port, limit
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.forwarded = 0
        self.thread = threading.Thread(target=self._serve_one, daemon=True)
        self.thread.start()

    def _serve_one(self) -> None:
        self.listener.settimeout(20)
        client, _ = self.listener.accept()
        upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=20)
        client.settimeout(20)
        while self.forwarded < self.limit:
            data = client.recv(min(65536, self.limit - self.forwarded))
            if not data:
                break
            upstream.sendall(data)
            self.forwarded += len(data)
        for sock in (client, upstream, self.listener):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
            sock.close()  # linger 0: a reset, not a clean end


def test_a_stream_cut_midway_spools_the_whole_batch_and_replay_completes_it(
    db, tmp_path, victoria, metric
):
    samples = batch(metric)
    proxy = CuttingProxy(victoria.port, limit=150_000)  # about half of the ~300 KB body
    spool_dir = tmp_path / "spool"
    with override_settings(
        METRICS_BACKEND="victoriametrics",
        VICTORIA_URL=f"http://127.0.0.1:{proxy.port}",
        METRICS_SPOOL_DIR=spool_dir,
    ):
        get_store().write(samples)
    proxy.thread.join(20)
    assert proxy.forwarded == 150_000  # the cut came mid-stream
    spool = Spool(spool_dir, 10**9)
    (path,) = spool.batches()
    assert spool.read(path) == samples  # the whole batch, not the unsent rest
    with override_settings(
        METRICS_BACKEND="victoriametrics", VICTORIA_URL=victoria.url, METRICS_SPOOL_DIR=spool_dir
    ):
        assert replay_spool() is True
    victoria.flush()
    got = exported(victoria, metric)
    # What VictoriaMetrics took before the cut is there twice (it keeps identical samples
    # unless run with -dedup.minScrapeInterval); each sample is there at least once.
    assert {key: sorted(set(points)) for key, points in got.items()} == want(samples)
