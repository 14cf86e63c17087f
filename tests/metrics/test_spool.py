"""The on-disk spool: durable files, bounded size with a clear log line, replay order."""

import logging

import pytest

from monitoring.metrics.samples import Sample
from monitoring.metrics.spool import Spool, SpoolFull, decode, encode

T0 = 1_700_000_000


def batch(n: int, base: int = 0) -> list[Sample]:
    return [
        Sample("cpu", {"device": f"R{i % 3}", "ip": "10.0.0.1"}, T0 + i, base + i) for i in range(n)
    ]


def test_a_batch_survives_the_round_trip_with_its_timestamps():
    samples = batch(100) + [Sample("x", {}, T0 + 0.123, float("inf"))]
    assert decode(encode(samples)) == samples


def test_batches_come_back_in_the_order_they_were_spooled(tmp_path):
    spool = Spool(tmp_path, 10**9)
    for n in range(5):
        spool.append(batch(3, base=n * 100))
    firsts = [spool.read(p)[0].value for p in spool.batches()]
    assert firsts == [0, 100, 200, 300, 400]
    assert not list(tmp_path.glob(".tmp-*"))  # only whole, renamed files


def test_a_full_spool_refuses_the_batch_with_a_clear_log_line(tmp_path, caplog):
    one = len(encode(batch(200)))
    spool = Spool(tmp_path, max_bytes=one * 3)
    for _ in range(3):
        spool.append(batch(200))
    with caplog.at_level(logging.ERROR), pytest.raises(SpoolFull):
        spool.append(batch(200))
    assert spool.depth() == (3, one * 3)
    assert "metrics spool full" in caplog.text
    assert "METRICS_SPOOL_MAX_BYTES" in caplog.text
    assert "NOT kept" in caplog.text


def test_the_store_raises_spool_full_when_the_back_end_is_down_and_the_spool_full(
    tmp_path, settings
):
    from monitoring.metrics.store import get_store

    settings.METRICS_BACKEND = "victoriametrics"
    settings.VICTORIA_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    settings.METRICS_SPOOL_DIR = tmp_path
    settings.METRICS_SPOOL_MAX_BYTES = 2000
    store = get_store()
    store.write(batch(10))
    with pytest.raises(SpoolFull):
        store.write(batch(100))


def test_only_one_process_replays_at_a_time(tmp_path):
    spool = Spool(tmp_path, 10**9)
    with spool.locked() as first:
        with Spool(tmp_path, 10**9).locked() as second:
            assert (first, second) == (True, False)
