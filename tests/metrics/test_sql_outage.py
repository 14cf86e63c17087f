"""Nothing lost on the SQL store: its database stops, samples are spooled, then replayed
in order with their original timestamps (a private PostgreSQL, stopped for real)."""

from django.db import connections

from monitoring.metrics.samples import Sample
from monitoring.metrics.spool import Spool
from monitoring.metrics.sql import SQLStore
from monitoring.metrics.store import get_store, replay_spool

from .test_contract import T0

SERIES = 50


def stored(alias: str, metric: str) -> dict[str, list[tuple[int, float]]]:
    """device -> [(ts_ms, value)] in time order, read straight from the tables."""
    with connections[alias].cursor() as cur:
        cur.execute(
            "SELECT s.device, h.ts_ms, h.value FROM metrics_metricsample h"
            " JOIN metrics_metricseries s ON s.id = h.series_id WHERE s.name = %s"
            " ORDER BY s.device, h.ts_ms",
            [metric],
        )
        out: dict[str, list] = {}
        for device, ts_ms, value in cur.fetchall():
            out.setdefault(device, []).append((ts_ms, value))
    return out


def test_samples_written_while_the_database_is_down_are_replayed_with_their_times(
    metrics_db, metric
):
    store = get_store()
    assert isinstance(store, SQLStore)
    # An open connection and cached series ids, as a running poller has.
    store.write([Sample(metric, {"device": "R0", "ip": "10.0.0.1"}, T0 - 60, -1.0)])
    spool = Spool(metrics_db.spool_dir, 10**9)
    assert spool.is_empty()

    metrics_db.pg.stop()
    # Ten poll cycles of 500 samples; millisecond timestamps must survive exactly.
    samples = [
        Sample(metric, {"device": f"R{i % SERIES}", "ip": "10.0.0.1"}, T0 + i // SERIES + 0.123, i)
        for i in range(5000)
    ]
    for n in range(10):
        store.write(samples[n * 500 : (n + 1) * 500])  # must not raise to the poller
    assert spool.depth()[0] == 10
    assert stored_fails_while_down(metrics_db.alias, metric)

    metrics_db.pg.start()
    assert replay_spool() is True
    assert spool.depth() == (0, 0)
    store.write([Sample(metric, {"device": "R0", "ip": "10.0.0.1"}, T0 + 3600, 1e6)])

    got = stored(metrics_db.alias, metric)
    assert sum(len(points) for points in got.values()) == 1 + 5000 + 1
    for d in range(SERIES):
        want = [((T0 + i // SERIES) * 1000 + 123, float(i)) for i in range(d, 5000, SERIES)]
        if d == 0:
            want = [((T0 - 60) * 1000, -1.0), *want, ((T0 + 3600) * 1000, 1e6)]
        assert got[f"R{d}"] == want


def stored_fails_while_down(alias: str, metric: str) -> bool:
    """The server really is down (not an empty answer); leaves the connection closed."""
    try:
        stored(alias, metric)
    except Exception:  # noqa: BLE001  (OperationalError, or InterfaceError on a dead one)
        connections[alias].close()
        return True
    return False


def test_a_write_after_the_restart_replays_the_spool_first(metrics_db, metric):
    store = get_store()
    store.write([Sample(metric, {"device": "R1"}, T0, 1.0)])
    metrics_db.pg.restart()  # the pooled connection is now dead, and nobody told it
    metrics_db.pg.stop()
    store.write([Sample(metric, {"device": "R1"}, T0 + 60, 2.0)])
    store.write([Sample(metric, {"device": "R1"}, T0 + 120, 3.0)])
    metrics_db.pg.start()
    store.write([Sample(metric, {"device": "R1"}, T0 + 180, 4.0)])
    assert Spool(metrics_db.spool_dir, 10**9).depth() == (0, 0)
    assert stored(metrics_db.alias, metric)["R1"] == [
        (T0 * 1000, 1.0),
        ((T0 + 60) * 1000, 2.0),
        ((T0 + 120) * 1000, 3.0),
        ((T0 + 180) * 1000, 4.0),
    ]
