"""History and trends from the real Zabbix land in the real metrics store (SQL back end),
with Zabbix's own clocks."""

import time

import pytest

from tests.zabbix.zbx import make_host, send_values, wait_history
from zabbix_bridge.sync import sync_server


def points(store, metric: str, device: str, start: float, end: float, step: float = 1) -> list:
    found = store.query_range(metric, {"device": device}, start, end, step, agg="last")
    assert len(found) <= 1, found
    return [(t, float(v)) for t, v in found[0]["values"]] if found else []


def test_after_a_sync_the_store_returns_zabbix_values_at_zabbix_clocks(
    zserver, zapi, zabbix, metrics_store
):
    host = make_host(zapi, name="st-1", ip="127.0.0.51")
    now = int(time.time())
    send_values(
        zabbix,
        [
            ("st-1", "temp", 21.5, now - 40),
            ("st-1", "temp", 22.25, now - 20),
            ("st-1", "octets", 7, now - 40),
        ],
    )
    itemids = [i["itemid"] for i in zapi.item.get(hostids=host["hostid"], output=["itemid"])]
    wait_history(zapi, itemids, 0, 2)
    wait_history(zapi, itemids, 3, 1)
    summary = sync_server(zserver)
    # >=: the built-in "Zabbix server" host's internal items add values of their own.
    assert summary["history"]["values"] >= 3
    assert points(metrics_store, "zabbix_temp", "st-1", now - 100, now) == [
        (now - 40, 21.5),
        (now - 20, 22.25),
    ]
    series = metrics_store.query_range(
        "zabbix_octets", {"device": "st-1"}, now - 100, now, 1, agg="last"
    )
    assert series[0]["metric"] == {
        "__name__": "zabbix_octets",
        "device": "st-1",
        "ip": "127.0.0.51",
        "key": "octets",
    }


def wait_trends(zapi, itemid: str, count: int, timeout_s: float = 15) -> list[dict]:
    deadline = time.monotonic() + timeout_s
    rows = []
    while time.monotonic() < deadline:
        rows = zapi.trend.get(itemids=[itemid], output="extend")
        if len(rows) >= count:
            return rows
        time.sleep(0.3)
    raise AssertionError(f"trend.get holds {len(rows)} of {count} hours after {timeout_s}s")


def test_the_first_sync_takes_hours_older_than_the_backfill_from_trends(
    zserver, zapi, zabbix, metrics_store, settings
):
    settings.ZABBIX_HISTORY_BACKFILL_S = 3600
    settings.ZABBIX_TRENDS_BACKFILL_S = 6 * 3600
    host = make_host(zapi, name="tr-1", items=(("temp", 0, "C"),))
    now = int(time.time())
    hour = (now // 3600 - 4) * 3600  # the start of the hour four hours back
    # A value of a later hour makes the server write the earlier hour's trend.
    sent = [
        ("tr-1", "temp", 10, hour + 60),
        ("tr-1", "temp", 30, hour + 120),
        ("tr-1", "temp", 50, hour + 3600 + 60),
        ("tr-1", "temp", 1, now - 5),
    ]
    for value in sent:  # in clock order, one by one
        send_values(zabbix, [value])
    itemid = zapi.item.get(hostids=host["hostid"], output=["itemid"])[0]["itemid"]
    wait_trends(zapi, itemid, 2)
    summary = sync_server(zserver)
    assert summary["history"]["trends"] >= 2 and summary["history"]["values"] >= 1
    window = (hour - 60, hour + 3600 + 120)
    # Trend averages at their hours' clocks; the raw values of those hours are not imported.
    assert points(metrics_store, "zabbix_temp", "tr-1", *window, step=60) == [
        (hour, 20.0),
        (hour + 3600, 50.0),
    ]
    assert points(metrics_store, "zabbix_temp_trend_min", "tr-1", *window, step=60)[0] == (
        hour,
        10.0,
    )
    assert points(metrics_store, "zabbix_temp_trend_max", "tr-1", *window, step=60)[0] == (
        hour,
        30.0,
    )
    assert points(metrics_store, "zabbix_temp", "tr-1", now - 60, now) == [(now - 5, 1.0)]
    # Trends are a first-sync backfill only: the next sync reads history from its watermark.
    assert "trends" not in sync_server(zserver, now=time.time() + 1)["history"]


def test_an_hour_cut_by_the_history_backfill_comes_from_history_alone(
    zserver, zapi, zabbix, metrics_store, settings
):
    """The backfill would start mid-hour: that hour's trend (the average of values the
    history also holds) must not be written beside them; the history starts at the hour."""
    if time.time() % 3600 < 15:  # the current hour's first value must be of a later hour
        time.sleep(15 - time.time() % 3600)
    now = int(time.time())
    hour = (now // 3600 - 1) * 3600  # the previous hour
    settings.ZABBIX_HISTORY_BACKFILL_S = now - 5 - (hour + 1800)  # history from mid-hour
    settings.ZABBIX_TRENDS_BACKFILL_S = 6 * 3600
    host = make_host(zapi, name="cut-1", items=(("temp", 0, "C"),))
    sent = [("cut-1", "temp", 10, hour + 60), ("cut-1", "temp", 30, hour + 2400)]
    sent.append(("cut-1", "temp", 7, now - 5))  # of a later hour: the server writes the trend
    for value in sent:
        send_values(zabbix, [value])
    itemid = zapi.item.get(hostids=host["hostid"], output=["itemid"])[0]["itemid"]
    wait_trends(zapi, itemid, 1)
    summary = sync_server(zserver)
    assert summary["history"]["from"] == hour and not summary["history"]["trends"]
    assert points(metrics_store, "zabbix_temp", "cut-1", hour - 60, hour + 3600, step=60) == [
        (hour + 60, 10.0),
        (hour + 2400, 30.0),
    ]
    assert points(metrics_store, "zabbix_temp", "cut-1", now - 60, now) == [(now - 5, 7.0)]
    assert points(metrics_store, "zabbix_temp_trend_min", "cut-1", hour - 60, now, 60) == []


def test_prefetch_hands_over_every_page_of_every_source_and_a_fetch_error():
    """Several fetch threads: nothing lost or doubled, and a source's error reaches the
    caller (a sync then fails its history phase instead of writing a partial range)."""
    from zabbix_bridge.history import prefetch

    sources = [iter([[n, 1], [n, 2]]) for n in range(7)]
    pages = list(prefetch(sources, depth=1, workers=3))
    assert sorted(map(tuple, pages)) == [(n, p) for n in range(7) for p in (1, 2)]

    def broken():
        yield [0]
        raise ConnectionError("frontend gone")

    with pytest.raises(ConnectionError, match="frontend gone"):
        list(prefetch([iter([[1]] * 50), broken()], depth=1, workers=2))
