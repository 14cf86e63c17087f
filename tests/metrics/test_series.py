"""Series handles: a producer's name and labels checked and rendered once, at
construction; samples made from them are checked only for value and time when written,
and are the same samples as plain ones everywhere else (equality, spool, rendering)."""

import copy
import pickle
import uuid

import pytest

from monitoring.metrics import spool
from monitoring.metrics.samples import (
    InvalidSample,
    Sample,
    Series,
    SeriesSample,
    check_batch,
    label_set,
    validate_samples,
)
from monitoring.metrics.victoria import VictoriaStore

from .test_validation import BAD_POINTS

T0 = 1_700_000_000


@pytest.fixture
def name() -> str:
    return f"s_{uuid.uuid4().hex[:12]}"


@pytest.mark.parametrize(
    ("metric", "labels", "reason"),
    [
        ("9bad", {"device": "R1"}, "metric name '9bad'"),
        ("ok", {"bad-label": "x"}, "label name 'bad-label'"),
        ("ok", {"__reserved": "x"}, "label name '__reserved'"),
        ("ok", {"device": "R1\nR2"}, "label 'device' value"),
        ("ok", {"device": 1}, "label 'device' must be a string"),
        ("ok", {1: "x"}, "label name 1"),
    ],
)
def test_a_bad_series_is_refused_where_the_producer_makes_it(metric, labels, reason):
    with pytest.raises(InvalidSample, match=reason):
        Series(metric, labels)


def test_series_samples_equal_plain_samples_and_validate_to_the_same_text(name):
    labels = {"device": "R1", "ip": "10.0.0.1"}
    series = Series(name, labels)
    made = [series.sample(T0 + i, float(i)) for i in range(3)]
    plain = [Sample(name, dict(labels), T0 + i, float(i)) for i in range(3)]
    assert made == plain and plain == made
    assert {hash(s) for s in made} == {hash(s) for s in plain}
    text = f'{name}{{device="R1",ip="10.0.0.1"}}'
    assert validate_samples(made) == [text] * 3
    assert validate_samples([*made, *plain]) == [text] * 6  # mixed batch


def test_a_series_labels_cannot_be_changed_under_its_samples(name):
    series = Series(name, {"device": "R1"})
    sample = series.sample(T0, 1.0)
    for change in (
        lambda lb: lb.__setitem__("device", "R2"),
        lambda lb: lb.update(device="R2"),
        lambda lb: lb.pop("device"),
        lambda lb: lb.clear(),
    ):
        with pytest.raises(TypeError, match="read-only"):
            change(sample.labels)
    assert sample.labels == {"device": "R1"}
    assert {**sample.labels, "device": "R2"} == {"device": "R2"}  # a copy is free to change
    assert pickle.loads(pickle.dumps(sample)) == sample
    assert copy.deepcopy(sample) == sample


@pytest.mark.parametrize(("value", "timestamp", "reason"), BAD_POINTS)
def test_a_series_sample_still_gets_its_value_and_time_checked(name, value, timestamp, reason):
    series = Series(name, {"device": "R1"})
    bad = [series.sample(T0, 1.0), series.sample(T0 + 1, 2.0), series.sample(timestamp, value)]
    with pytest.raises(InvalidSample, match=f"sample 2: .*{reason}"):
        validate_samples(bad)


def test_series_samples_render_and_spool_as_plain_ones(name):
    store = VictoriaStore("http://127.0.0.1:1")
    series = Series(name, {"device": 'R"1', "ip": "10.0.0.1"})
    made = [
        series.sample(T0 + 0.25, 1.5),
        series.sample(T0 + 1, float("inf")),
        series.sample(T0 + 2, 7),
    ]
    plain = [Sample(s.name, dict(s.labels), s.timestamp, s.value) for s in made]
    assert store.render(made, check_batch(made)) == store.render(plain)
    assert store.render(made).decode().splitlines()[0] == (
        f'{name}{{device="R\\"1",ip="10.0.0.1"}} 1.5 {T0}250'
    )
    assert spool.decode(spool.encode(made)) == plain


def test_a_label_set_is_kept_by_content_and_makes_each_series_once(name):
    device = label_set(device="R1", ip="10.0.0.1")
    assert label_set(device="R1", ip="10.0.0.1") is device  # next cycle: one lookup
    assert label_set(ip="10.0.0.1", device="R1") is not device  # order is part of the text
    assert device.series(name) is device.series(name)
    rtt = device.sample(name, T0, 1.0, stat="avg")
    assert rtt.labels == {"device": "R1", "ip": "10.0.0.1", "stat": "avg"}
    interface = device.extended(ifName="Gi0/1", ifIndex="1")
    assert interface is label_set(device="R1", ip="10.0.0.1", ifName="Gi0/1", ifIndex="1")
    assert validate_samples([rtt, interface.sample(name, T0, 2.0)]) == [
        f'{name}{{device="R1",ip="10.0.0.1",stat="avg"}}',
        f'{name}{{device="R1",ip="10.0.0.1",ifName="Gi0/1",ifIndex="1"}}',
    ]
    with pytest.raises(InvalidSample, match="label 'device' value"):
        label_set(device="R1\nR2")
    with pytest.raises(InvalidSample, match="metric name"):
        device.series("bad name")


def test_producers_hand_over_series_samples():
    """The ICMP monitor's samples come with their series (the poller's and the Zabbix
    sync's are covered by their own tests' content checks; here the type)."""
    from types import SimpleNamespace

    from monitoring.icmp.monitor import build_samples

    device = SimpleNamespace(name="R9", ip_address="127.0.0.9")
    result = SimpleNamespace(
        min_ms=1.0, avg_ms=2.0, max_ms=3.0, jitter_ms=0.5, loss_pct=0.0,
        is_alive=True,
    )  # fmt: skip
    samples = build_samples(device, result, T0)
    assert samples and {type(s) for s in samples} == {SeriesSample}
    assert {(s.name, s.labels.get("stat")) for s in samples} == {
        ("ping_rtt_ms", "min"), ("ping_rtt_ms", "avg"), ("ping_rtt_ms", "max"),
        ("ping_jitter_ms", None), ("ping_loss", None), ("ping_up", None),
    }  # fmt: skip


def test_the_zabbix_sync_makes_each_items_series_once():
    from zabbix_bridge.history import rows_to_samples, series_for

    item = series_for("R1", "10.0.0.1", "system.cpu.load[all,avg1]")
    rows = [{"itemid": "7", "clock": str(T0 + i), "ns": "0", "value": "0.5"} for i in range(3)]
    samples = rows_to_samples(rows, {"7": item})
    assert [s.series for s in samples] == [item] * 3
    assert samples[0].labels == {
        "device": "R1",
        "ip": "10.0.0.1",
        "key": "system.cpu.load[all,avg1]",
    }
