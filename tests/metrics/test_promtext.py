"""The push import's parser keeps each valid series by its text: a line whose series
is known must parse to what the full parse gives, and fail as it fails."""

import uuid

import pytest

from monitoring.metrics import promtext
from monitoring.metrics.promtext import PromTextError, parse, parse_numbered
from monitoring.metrics.push import device_samples
from monitoring.metrics.samples import MAX_LABEL_VALUE_LENGTH, Sample, SeriesSample

T0_MS = 1_700_000_000_000
NOW = 1_700_000_100.0


@pytest.fixture
def metric() -> str:
    return f"p_{uuid.uuid4().hex[:12]}"


def lines(metric: str) -> list[str]:
    return [
        f'{metric}{{device="R1",probe="dns"}} 12.5 {T0_MS}',
        f'{metric}{{device="R1", note="a}} b \\"c\\" d\\\\"}} -3e-7',  # '}', spaces, escapes
        f"{metric} 7 {T0_MS + 1}",
        f'{metric}{{ device = "R2" }}\t+Inf\t{T0_MS + 2}',
        f"{metric}{{}} 0",
    ]


def test_a_known_series_parses_as_the_full_parse_does(metric):
    first = parse("\n".join(lines(metric)), now=NOW)
    assert all(type(s) is SeriesSample for s in first)
    again = parse("\n".join(lines(metric)), now=NOW)  # every series known now
    assert again == first
    assert [s.series for s in again] == [s.series for s in first]  # kept, not made again
    assert [(s.labels, s.timestamp, s.value) for s in first] == [
        ({"device": "R1", "probe": "dns"}, T0_MS / 1000, 12.5),
        ({"device": "R1", "note": 'a} b "c" d\\'}, NOW, -3e-7),
        ({}, (T0_MS + 1) / 1000, 7.0),
        ({"device": "R2"}, (T0_MS + 2) / 1000, float("inf")),
        ({}, NOW, 0.0),
    ]


@pytest.mark.parametrize(
    ("tail", "reason"),
    [
        (" abc", "is not a number"),
        (" 1 2 3", "expected a value"),
        ("", "expected a value"),
        (" NaN", "NaN cannot be stored"),
        (" 1 1.5", "is not integer ms"),
        (" 1 -5", "not a Unix time"),
        ("5", "expected a value"),  # no space between the series and its value
        (" 1 } 2", "expected a value"),
    ],
)
def test_a_known_series_with_a_bad_point_fails_as_before(metric, tail, reason):
    known = f'{metric}{{device="R1"}}'
    parse(f"{known} 1", now=NOW)
    assert promtext._SERIES.get(known) is not None
    with pytest.raises(PromTextError, match=f"line 2: .*{reason}"):
        parse_numbered(f"{known} 1\n{known}{tail}", now=NOW)


def test_a_series_the_store_would_refuse_is_not_kept_and_is_named_by_its_line(metric):
    long = "x" * (MAX_LABEL_VALUE_LENGTH + 1)
    text = f'{metric}{{device="R1"}} 1\n{metric}{{device="R1",a="{long}"}} 2'
    numbered = parse_numbered(text, now=NOW)
    assert type(numbered[1][1]) is Sample and f'a="{long}"' not in str(promtext._SERIES)
    with pytest.raises(PromTextError, match="line 2: label 'a' value is too long") as caught:
        device_samples(numbered, {"R1": "10.0.0.1"})
    assert caught.value.line == 2


def test_pushed_samples_carry_their_device_ip_and_share_one_series_each(metric):
    text = "\n".join(f'{metric}{{device="{d}"}} {n} {T0_MS + n}' for n in range(4) for d in "AB")
    samples = device_samples(parse_numbered(text, now=NOW), {"A": "10.0.0.1", "B": "10.0.0.2"})
    assert [s.labels for s in samples[:2]] == [
        {"device": "A", "ip": "10.0.0.1"},
        {"device": "B", "ip": "10.0.0.2"},
    ]
    assert len({id(s.series) for s in samples}) == 2
    assert [s.value for s in samples] == [0, 0, 1, 1, 2, 2, 3, 3]
    moved = device_samples(parse_numbered(text, now=NOW), {"A": "10.9.9.9", "B": "10.0.0.2"})
    assert moved[0].labels["ip"] == "10.9.9.9"  # a device's new address, a new series
