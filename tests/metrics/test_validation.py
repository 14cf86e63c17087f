"""Batch validation with its per-process cache of valid series, and the text rendering
that reuses the batch's series keys: the fast path must refuse what the full check does."""

import enum
import random
import uuid

import orjson
import pytest

from monitoring.metrics.samples import (
    InvalidSample,
    Sample,
    Series,
    check_batch,
    series_texts,
    validate_samples,
    value_texts,
)
from monitoring.metrics.victoria import VictoriaStore, is_loopback

T0 = 1_700_000_000


@pytest.fixture
def name() -> str:
    """A metric name no other test validated, so its first batch takes the full check."""
    return f"v_{uuid.uuid4().hex[:12]}"


def batch(name: str, n: int = 5, **labels) -> list[Sample]:
    labels = labels or {"device": "R1", "ip": "10.0.0.1"}
    return [Sample(name, dict(labels), T0 + i, float(i)) for i in range(n)]


def test_a_series_found_valid_stays_accepted_with_fresh_label_dicts(name):
    text = f'{name}{{device="R1",ip="10.0.0.1"}}'
    assert validate_samples(batch(name)) == [text] * 5
    again = batch(name)  # new dicts, as pollers build them every cycle
    assert validate_samples(again) == [text] * 5
    assert series_texts(again) == [text] * 5


def test_an_invalid_series_is_refused_every_time(name):
    good = batch(name, 1)
    validate_samples(good)
    bad = [*good, Sample(name, {"bad-label": "x"}, T0, 1.0)]
    for _ in range(2):
        with pytest.raises(InvalidSample, match=r"sample 1: label name 'bad-label'"):
            validate_samples(bad)


def test_a_known_series_is_checked_by_content_not_by_dict(name):
    labels = {"device": "R1"}
    validate_samples([Sample(name, labels, T0, 1.0)])
    labels["device"] = "R1\nR2"  # the same dict object, now invalid
    with pytest.raises(InvalidSample, match="sample 0: label 'device' value"):
        validate_samples([Sample(name, labels, T0, 1.0)])


# (value, timestamp, reason): points the whole-batch checks must refuse as the full check
# does, whichever way the sample was made (test_series.py uses them for Series samples).
BAD_POINTS = [
    (float("nan"), T0, "is not a number"),
    ("1.0", T0, "is not a number"),
    (1.0, 0, "is not a Unix time"),
    (1.0, float("nan"), "is not a Unix time"),
    (1.0, float("inf"), "is not a Unix time"),
    (1.0, "now", "is not a Unix time"),
    (True, T0, "is not a number"),  # its text would be "True", refused by the back end
    (1.0, True, "is not a Unix time"),
]


@pytest.mark.parametrize(("value", "timestamp", "reason"), BAD_POINTS)
def test_a_known_series_still_gets_its_value_and_time_checked(name, value, timestamp, reason):
    validate_samples(batch(name))  # known from here on
    bad = [*batch(name, 2), Sample(name, {"device": "R1", "ip": "10.0.0.1"}, timestamp, value)]
    for _ in range(2):
        with pytest.raises(InvalidSample, match=f"sample 2: .*{reason}"):
            validate_samples(bad)


def test_infinities_and_int_values_are_accepted_as_before(name):
    samples = [*batch(name, 2), Sample(name, {"device": "R1", "ip": "10.0.0.1"}, T0, 7)]
    samples += [Sample(name, {"device": "R1"}, T0, float("inf"))]
    samples += [Sample(name, {"device": "R1"}, T0 + 1, float("-inf"))]  # sums to NaN
    for _ in range(2):
        assert (
            validate_samples(samples)
            == [f'{name}{{device="R1",ip="10.0.0.1"}}'] * 3 + [f'{name}{{device="R1"}}'] * 2
        )


def test_ints_beyond_float_range_are_refused_even_when_they_cancel_out(name):
    """The whole-batch pass sums the values: 10**400 and -10**400 sum to 0, yet each is
    refused by the sample-by-sample check, so the pass must refuse them too."""
    validate_samples(batch(name))  # known from here on
    huge = [Sample(name, {"device": "R1", "ip": "10.0.0.1"}, T0, v) for v in (10**400, -(10**400))]
    for bad in (huge, [Series(name, {"device": "R1"}).sample(T0, v.value) for v in huge]):
        with pytest.raises(InvalidSample, match="sample 0: .*too large"):
            validate_samples(bad)


def test_a_bad_label_value_type_is_named_not_crashed_on(name):
    with pytest.raises(InvalidSample, match="sample 0"):
        validate_samples([Sample(name, {"device": ["R1"]}, T0, 1.0)])
    with pytest.raises(InvalidSample, match="sample 0: labels of .* must be a dict"):
        validate_samples([Sample(name, [("device", "R1")], T0, 1.0)])
    with pytest.raises(InvalidSample, match="sample 0: tuple is not a Sample"):
        validate_samples([(name, {}, T0, 1.0)])


def test_label_order_gives_another_key_never_a_wrong_hit(name):
    a = Sample(name, {"device": "R1", "ip": "x"}, T0, 1.0)
    b = Sample(name, {"ip": "x", "device": "R1"}, T0, 1.0)
    c = Sample(name, {"device": "x", "ip": "R1"}, T0, 1.0)
    assert validate_samples([a, b, c]) == [
        f'{name}{{device="R1",ip="x"}}',
        f'{name}{{ip="x",device="R1"}}',
        f'{name}{{device="x",ip="R1"}}',
    ]


def test_render_escapes_and_spells_infinities_as_prometheus_does(name):
    store = VictoriaStore("http://127.0.0.1:1")
    samples = [
        Sample(name, {"device": 'R"1'}, T0 + 0.25, 1.5),
        Sample(name, {"device": 'R"1'}, T0 + 1, float("inf")),
        Sample(name, {}, T0 + 2, float("-inf")),
    ]
    expected = (
        f'{name}{{device="R\\"1"}} 1.5 {T0}250\n'
        f'{name}{{device="R\\"1"}} +Inf {T0 + 1}000\n'
        f"{name}{{}} -Inf {T0 + 2}000\n"
    )
    assert store.render(samples).decode() == expected
    assert store.render(samples, check_batch(samples)).decode() == expected  # cached


def test_numbers_of_subclasses_are_rendered_as_their_plain_number(name):
    """An IntEnum member or a float subclass passes validation (it is a number): its
    text must be the number, not its repr ("<Level.HIGH: 3>")."""

    class Level(enum.IntEnum):
        HIGH = 3

    class Celsius(float):
        def __repr__(self) -> str:
            return f"Celsius({float(self)})"

    samples = [Sample(name, {}, T0, Level.HIGH), Sample(name, {}, T0, Celsius(21.5))]
    validate_samples(samples)
    text = VictoriaStore("http://127.0.0.1:1").render(samples, check_batch(samples)).decode()
    assert text == f"{name}{{}} 3 {T0}000\n{name}{{}} 21.5 {T0}000\n"


def test_measured_values_read_back_exactly_from_the_text(name):
    """Values are spelled by orjson (value_texts), not repr: each must read back as the
    very float or int it was, exponents and all, in the batch's order."""
    rng = random.Random(7)
    values = [rng.uniform(-1e6, 1e6) for _ in range(2000)]
    values += [rng.random() * 10.0 ** rng.randint(-300, 300) for _ in range(2000)]
    values += [0.0, -0.0, 5e-324, 1.7976931348623157e308, 2**63, -(2**63), 2**64 - 1, 7]
    series = Series(name, {"device": "R1"})
    samples = [series.sample(T0 + i, v) for i, v in enumerate(values)]
    text = VictoriaStore("http://127.0.0.1:1").render(samples, check_batch(samples)).decode()
    lines = text.splitlines()
    assert len(lines) == len(values)
    for line, value, i in zip(lines, values, range(len(values)), strict=True):
        head, spelled, stamp = line.split(" ")
        assert head == series.text and stamp == f"{T0 + i}000"
        assert spelled.lstrip("-")[0].isdigit(), line
        if isinstance(value, int):
            assert spelled == str(value)  # ints exact, beyond float's 53 bits too
        else:
            assert float(spelled) == value and repr(float(spelled)) == repr(value), line


def test_what_orjson_would_spell_as_a_number_is_still_refused(name):
    """orjson writes an Enum as its value and a Fragment as is: neither is a number to
    us, and a Fragment holding "1,2" must not shift the other values' texts."""

    class Plain(enum.Enum):
        THREE = 3

    for bad in (Plain.THREE, orjson.Fragment(b"1,2")):
        samples = [*batch(name, 2), Sample(name, {"device": "R1"}, T0, bad)]
        with pytest.raises(InvalidSample, match="sample 2: .*is not a number"):
            validate_samples(samples)
        assert value_texts([1.0, bad, 2.0]) is None


def test_ints_beyond_64_bits_are_written_exactly_by_the_slower_path(name):
    samples = [*batch(name, 2), Sample(name, {"device": "R1"}, T0, 2**70)]
    assert value_texts([s.value for s in samples]) is None  # orjson refuses them
    text = VictoriaStore("http://127.0.0.1:1").render(samples, check_batch(samples)).decode()
    assert text.splitlines()[2] == f'{name}{{device="R1"}} {2**70} {T0}000'


def test_gzip_is_off_on_loopback_only():
    assert is_loopback("http://127.0.0.1:8428") and is_loopback("http://localhost:8428")
    assert is_loopback("http://[::1]:8428")
    assert not is_loopback("http://10.0.0.5:8428") and not is_loopback("http://vm.example:8428")
    assert not VictoriaStore("http://127.0.0.1:8428").gzip
    assert VictoriaStore("http://10.0.0.5:8428").gzip
