"""The store contract: the same tests on the SQL store and on a real VictoriaMetrics."""

import time

import pytest

from monitoring.metrics import hooks
from monitoring.metrics.matchers import LabelMatcher
from monitoring.metrics.samples import InvalidSample, Sample
from monitoring.metrics.store import QueryError

# Recent (inside SQL history retention), on a whole 10 minutes.
T0 = int(time.time()) // 600 * 600 - 3600
DEVICES = {"R1": "10.0.0.1", "R2": "10.0.0.2", "SW1": "10.0.1.1"}


def make_samples(metric: str, minutes: int = 10, every_s: int = 10) -> list[Sample]:
    out = []
    for d, (device, ip) in enumerate(DEVICES.items()):
        for i in range(minutes * 60 // every_s):
            value = (i * 7 + d * 3) % 11 + 0.5 * d
            out.append(Sample(metric, {"device": device, "ip": ip}, T0 + i * every_s, value))
    return out


def expected_range(samples, device, start, end, step, agg):
    """Direct computation: step t covers (t - step, t], t from start to end."""
    fns = {
        "avg": lambda v: sum(v) / len(v),
        "min": min,
        "max": max,
        "last": lambda v: v[-1],
    }
    points = []
    t = start
    while t <= end:
        vals = [
            s.value
            for s in sorted(samples, key=lambda s: s.timestamp)
            if s.labels["device"] == device and t - step < s.timestamp <= t
        ]
        if vals:
            points.append((t, fns[agg](vals)))
        t += step
    return points


def values_of(result, device):
    (series,) = [s for s in result if s["metric"]["device"] == device]
    return [(t, float(v)) for t, v in series["values"]]


def test_it_returns_the_latest_value_of_each_series(backend, metric):
    samples = make_samples(metric)
    backend.store.write(samples)
    backend.settle()
    at = T0 + 600 + 30
    result = backend.store.query(metric, {}, at=at)
    assert len(result) == 3
    for series in result:
        device = series["metric"]["device"]
        last = max((s for s in samples if s.labels["device"] == device), key=lambda s: s.timestamp)
        assert series["metric"] == {"__name__": metric, "device": device, "ip": DEVICES[device]}
        assert series["value"] == [at, str(last.value).removesuffix(".0")]


@pytest.mark.parametrize("agg", ["avg", "min", "max", "last"])
def test_query_range_aggregates_each_step_like_a_direct_computation(backend, metric, agg):
    samples = make_samples(metric)
    backend.store.write(samples)
    backend.settle()
    start, end, step = T0 + 60, T0 + 600, 60
    result = backend.store.query_range(metric, {"device": "R2"}, start, end, step, agg=agg)
    assert [s["metric"]["device"] for s in result] == ["R2"]
    got = values_of(result, "R2")
    want = expected_range(samples, "R2", start, end, step, agg)
    assert [t for t, _ in got] == [t for t, _ in want]
    assert [v for _, v in got] == pytest.approx([v for _, v in want])


def test_it_matches_labels_exactly_by_regex_and_by_negation(backend, metric):
    backend.store.write(make_samples(metric, minutes=1))
    backend.settle()
    at = T0 + 120

    def devices(match):
        return [s["metric"]["device"] for s in backend.store.query(metric, match, at=at)]

    assert devices({"device": "~R.*"}) == ["R1", "R2"]
    assert devices({"ip": "10.0.1.1"}) == ["SW1"]
    assert devices([LabelMatcher("device", "!=", "R1")]) == ["R2", "SW1"]
    assert devices([LabelMatcher("device", "!~", "R.*")]) == ["SW1"]
    assert devices({"device": "~R"}) == []  # regexes match the whole value
    assert devices({"device": "R9"}) == []


def test_it_limits_reads_to_the_given_devices(backend, metric):
    backend.store.write(make_samples(metric, minutes=1))
    backend.settle()
    found = backend.store.query(metric, {}, at=T0 + 120, devices={"R1", "SW1"})
    assert [s["metric"]["device"] for s in found] == ["R1", "SW1"]
    assert backend.store.query(metric, {}, at=T0 + 120, devices=set()) == []
    ranged = backend.store.query_range(metric, {}, T0, T0 + 60, 60, devices={"R2"})
    assert [s["metric"]["device"] for s in ranged] == ["R2"]


@pytest.mark.parametrize(
    "bad",
    [
        Sample("1bad_name", {"device": "R1"}, T0, 1.0),
        Sample("ok_name", {"bad-label": "x"}, T0, 1.0),
        Sample("ok_name", {"__reserved": "x"}, T0, 1.0),
        Sample("ok_name", {"device": "R1\nR2"}, T0, 1.0),
        Sample("ok_name", {"device": "R1"}, T0, float("nan")),
        Sample("ok_name", {"device": "R1"}, -5, 1.0),
    ],
)
def test_it_refuses_a_batch_with_an_invalid_sample_and_writes_none_of_it(backend, metric, bad):
    good = Sample(metric, {"device": "R1", "ip": "10.0.0.1"}, T0, 1.0)
    with pytest.raises(InvalidSample, match="sample 1"):
        backend.store.write([good, bad])
    backend.settle()
    assert backend.store.query(metric, {}, at=T0 + 1) == []


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"start": T0 + 60, "end": T0, "step": 60}, "end"),
        ({"start": T0, "end": T0 + 86400 * 30, "step": 60}, "step"),
        ({"start": T0, "end": T0 + 60, "step": 0}, "step"),
        ({"start": T0, "end": T0 + 60, "step": 60, "agg": "median"}, "agg"),
    ],
)
def test_it_refuses_bad_ranges_naming_the_parameter(backend, metric, kwargs, parameter):
    with pytest.raises(QueryError) as caught:
        backend.store.query_range(metric, {}, **kwargs)
    assert caught.value.parameter == parameter


def test_it_refuses_a_bad_regex_naming_the_label(backend, metric):
    with pytest.raises(QueryError) as caught:
        backend.store.query(metric, {"ifName": "~(unclosed"})
    assert caught.value.parameter == "ifName"


def test_it_hands_each_written_batch_to_the_after_write_hooks(backend, metric):
    seen = []
    hooks.register_after_write(seen.append)
    try:
        batch = make_samples(metric, minutes=1)
        backend.store.write(batch)
    finally:
        hooks.unregister_after_write(seen.append)
    assert seen == [batch]


def test_values_and_millisecond_times_come_back_exactly(backend, metric):
    """Both back ends get numbers as text (Prometheus lines, SQL array literals).

    Values stay within 12 significant digits: VictoriaMetrics stores no more than that.
    """
    values = [123456.789012, 1e-300, 1.5e300, -2.5, 7, float("inf"), float("-inf")]
    samples = [Sample(metric, {"device": f"D{i}"}, T0 + 0.25 + i, v) for i, v in enumerate(values)]
    backend.store.write(samples)
    backend.settle()
    found = backend.store.query(metric, {}, at=T0 + 10)
    got = {s["metric"]["device"]: s["value"][1] for s in found}
    assert got == {
        "D0": "123456.789012",
        "D1": "1e-300",
        "D2": "1.5e+300",
        "D3": "-2.5",
        "D4": "7",
        "D5": "+Inf",
        "D6": "-Inf",
    }
    ranged = backend.store.query_range(metric, {"device": "D3"}, T0, T0 + 10, 1, agg="last")
    assert ranged[0]["values"] == [[T0 + 4, "-2.5"]]  # 3.25 s falls in the step ending at 4 s


def test_the_same_labels_in_another_order_are_the_same_series(backend, metric):
    a = Sample(metric, {"device": "R1", "ip": "10.0.0.1"}, T0 + 10, 1.0)
    b = Sample(metric, {"ip": "10.0.0.1", "device": "R1"}, T0 + 20, 2.0)
    backend.store.write([a, b])
    backend.store.write([Sample(metric, {"ip": "10.0.0.1", "device": "R1"}, T0 + 30, 3.0)])
    backend.settle()
    ranged = backend.store.query_range(metric, {}, T0, T0 + 30, 10, agg="last")
    assert [s["values"] for s in ranged] == [[[T0 + 10, "1"], [T0 + 20, "2"], [T0 + 30, "3"]]]
