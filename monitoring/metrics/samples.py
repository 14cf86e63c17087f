"""The sample: the unit every poller writes and every reader and the alert engine see.

Names and labels follow Prometheus' rules; values are floats; timestamps are Unix
seconds (float). Labels always carry `device` and `ip` for device series.

Two ways to make one. ``Sample(name, labels, timestamp, value)`` is checked when it is
written: its series is looked up by content in a per-process cache (about half a
microsecond a sample, most of the store's cost). A producer that writes the same series
again and again (a poller every cycle, the Zabbix sync once per history row) makes a
``Series`` once, which checks and renders the name and labels there and then, and
``series.sample(timestamp, value)`` for each point: the store only checks the value and
time of such samples. A Series' labels are read-only, since all its samples share them.
"""

import math
import re
from dataclasses import dataclass

import orjson

METRIC_NAME_RE = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
LABEL_NAME_RE = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
MAX_LABEL_VALUE_LENGTH = 1024


class InvalidSample(ValueError):
    """A sample that must not be written; the message says which part is wrong."""


@dataclass(frozen=True, slots=True, eq=False)
class Sample:
    name: str
    labels: dict[str, str]
    timestamp: float
    value: float

    def series_key(self) -> tuple:
        return (self.name, tuple(sorted(self.labels.items())))

    def __eq__(self, other: object) -> bool:
        """Equal by content, whichever way it was made (Sample or Series.sample)."""
        if not isinstance(other, Sample):
            return NotImplemented
        return (self.name, self.labels, self.timestamp, self.value) == (
            other.name,
            other.labels,
            other.timestamp,
            other.value,
        )

    def __hash__(self) -> int:
        return hash((self.name, self.timestamp, self.value))


class FrozenLabels(dict):
    """A Series' labels: every sample of the series shares this dict, so it is read-only."""

    __slots__ = ()

    def _read_only(self, *args, **kwargs):
        raise TypeError("the labels of a Series are read-only: copy them ({**labels, ...})")

    __setitem__ = __delitem__ = __ior__ = clear = pop = popitem = setdefault = update = _read_only

    def __reduce__(self):  # pickle and deepcopy, which would otherwise call __setitem__
        return (FrozenLabels, (dict(self),))


class Series:
    """A metric name and labels, checked and rendered once, for samples of that series.

    Raises InvalidSample as a bad Sample would at write time, but at construction: a
    producer finds a bad name or label where it builds it.
    """

    __slots__ = ("labels", "name", "text")

    def __init__(self, name: str, labels: dict[str, str]):
        labels = FrozenLabels(labels)
        _validate_series(name, labels)
        self.name = name
        self.labels = labels
        self.text = render_series(name, labels)

    def sample(self, timestamp: float, value: float) -> "SeriesSample":
        return SeriesSample(self, timestamp, value)

    def __repr__(self) -> str:
        return f"Series({self.text})"


class SeriesSample(Sample):
    """A Sample made by Series.sample(): its name and labels are its series'."""

    __slots__ = ("series",)

    def __init__(self, series: Series, timestamp: float, value: float):
        init = object.__setattr__  # Sample is frozen
        init(self, "name", series.name)
        init(self, "labels", series.labels)
        init(self, "timestamp", timestamp)
        init(self, "value", value)
        init(self, "series", series)

    def __reduce__(self):
        return (SeriesSample, (self.series, self.timestamp, self.value))


class LabelSet:
    """The labels of one thing a producer measures (a device, an interface), checked
    once, with the Series of each metric it has made with them.

    label_set() keeps them per process by content, so a poller that rebuilds its labels
    every cycle pays one lookup per device or interface, not one per sample.
    """

    __slots__ = ("_series", "labels")

    def __init__(self, labels: dict[str, str]):
        self.labels = FrozenLabels(labels)
        _validate_labels("labels", self.labels)
        self._series: dict[tuple, Series] = {}

    def series(self, metric: str, **extra: str) -> Series:
        """This set's labels (and `extra` ones after them) under `metric`."""
        key = (metric, *extra, *extra.values())
        found = self._series.get(key)
        if found is None:
            found = self._series[key] = Series(
                metric, {**self.labels, **extra} if extra else self.labels
            )
        return found

    def sample(self, metric: str, timestamp: float, value: float, **extra: str) -> "SeriesSample":
        return SeriesSample(self.series(metric, **extra), timestamp, value)

    def extended(self, **extra: str) -> "LabelSet":
        """A LabelSet of these labels and `extra` (an interface of a device)."""
        return label_set(**self.labels, **extra)


_LABEL_SETS: dict[tuple, LabelSet] = {}
_LABEL_SETS_MAX = 100_000


def label_set(**labels: str) -> LabelSet:
    """The process's LabelSet of these labels (label order counts, as in the text)."""
    key = (*labels, *labels.values())
    found = _LABEL_SETS.get(key)
    if found is None:
        if len(_LABEL_SETS) >= _LABEL_SETS_MAX:
            _LABEL_SETS.clear()
        found = _LABEL_SETS[key] = LabelSet(labels)
    return found


def validate_sample(sample: Sample) -> None:
    """Raise InvalidSample naming the bad part; return quietly when the sample is fine."""
    _validate_series(sample.name, sample.labels)
    _check_point(sample.name, sample.value, sample.timestamp)


def _validate_series(metric: str, labels: dict[str, str]) -> None:
    if not isinstance(metric, str) or not METRIC_NAME_RE.match(metric):
        raise InvalidSample(f"metric name {metric!r} is not a valid Prometheus name")
    _validate_labels(metric, labels)


def _validate_labels(metric: str, labels: dict[str, str]) -> None:
    if not isinstance(labels, dict):
        raise InvalidSample(f"labels of {metric!r} must be a dict")
    for name, value in labels.items():
        if not isinstance(name, str) or not LABEL_NAME_RE.match(name) or name.startswith("__"):
            raise InvalidSample(f"label name {name!r} is not a valid Prometheus label name")
        if not isinstance(value, str):
            raise InvalidSample(f"label {name!r} must be a string, not {type(value).__name__}")
        if len(value) > MAX_LABEL_VALUE_LENGTH or "\n" in value:
            raise InvalidSample(f"label {name!r} value is too long or holds a newline")


def _check_point(metric: str, value: float, ts: float) -> None:
    # bool is an int to Python, not a number to Prometheus (its text would be "True")
    if not isinstance(value, int | float) or isinstance(value, bool) or math.isnan(value):
        raise InvalidSample(f"value {value!r} of {metric} is not a number")
    if not isinstance(ts, int | float) or isinstance(ts, bool) or not math.isfinite(ts) or ts <= 0:
        raise InvalidSample(f"timestamp {ts!r} of {metric} is not a Unix time")


def escape_label_value(text: str) -> str:
    """A label value inside double quotes, as Prometheus text and PromQL both want it."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def render_series(name: str, labels: dict[str, str]) -> str:
    """The series in Prometheus text: name{label="value",...}, labels in their order."""
    inner = ",".join([f'{k}="{escape_label_value(v)}"' for k, v in labels.items()])
    return f"{name}{{{inner}}}"


# Series found valid in this process, by key (name, *label names, *label values), each
# with its render_series text. A poller writes the same series every cycle, so each is
# checked in full and rendered once, then only its sample's value and time are checked.
# The key is cheaper to build than a tuple of (name, value) pairs and as unambiguous
# (its length gives the number of labels); labels in another order make another key,
# a miss, never a wrong hit. Keys live only while looked up: a batch keeping 10,000
# tuples alive set off the garbage collector often enough to double the batch's cost.
_VALID_SERIES: dict[tuple, str] = {}
_VALID_SERIES_MAX = 200_000
_NUMBER_TYPES = frozenset({float, int})


def series_texts(samples: list[Sample]) -> list[str]:
    """render_series of each sample's series, from the cache; for samples validated
    before (replayed from the spool), so a series missing is rendered, not checked."""
    texts = _cached_texts(samples, _VALID_SERIES)
    if None in texts:
        texts = [t or render_series(s.name, s.labels) for t, s in zip(texts, samples, strict=True)]
    return texts


def _cached_texts(samples: list[Sample], known: dict[tuple, str]) -> list[str | None]:
    """Each sample's series text, from its Series or from `known`; None where not known."""
    get = known.get
    return [
        s.series.text if type(s) is SeriesSample else get((s.name, *(lb := s.labels), *lb.values()))
        for s in samples
    ]


@dataclass(slots=True)
class CheckedBatch:
    """A batch that passed check_batch: each sample's series text, and, when the batch
    was checked by whole-batch passes, the values and times those passes gathered, so
    the renderer does not gather them again. None: gather them from the samples.
    `value_texts`: each value spelled as Prometheus text reads it, when the batch's
    values were all plain finite numbers (value_texts() made them while checking)."""

    texts: list[str]
    values: list[float] | None = None
    times: list[float] | None = None
    value_texts: list[str] | None = None


def validate_samples(samples: list[Sample]) -> list[str]:
    """Each sample's series text (render_series), or InvalidSample: check_batch's texts."""
    return check_batch(samples).texts


def check_batch(samples: list[Sample]) -> CheckedBatch:
    """validate_sample over a batch, checking each distinct series only once per process.

    Raises InvalidSample for the first bad sample, prefixed by its index in the batch.
    The common batches are checked with a few whole-batch passes: samples made by
    Series.sample (their series was checked when it was made), or plain Samples of
    series this process has seen. Those passes check that values and times are plain
    numbers with no NaN; anything else goes sample by sample, which names the bad one.
    """
    known = _VALID_SERIES
    if len(known) > _VALID_SERIES_MAX:
        known.clear()
    try:
        kinds = set(map(type, samples))
        if kinds <= {SeriesSample, Sample} and (points := _plain_points(samples)):
            if kinds == {SeriesSample}:
                return CheckedBatch([s.series.text for s in samples], *points)
            if set(map(type, [s.labels for s in samples])) <= _LABEL_TYPES:
                texts = _cached_texts(samples, known)
                if None not in texts:
                    return CheckedBatch(texts, *points)
    except (TypeError, OverflowError):  # unhashable label values, huge ints: look closer
        pass
    return CheckedBatch(_validate_each(samples, known))


_LABEL_TYPES = frozenset({dict, FrozenLabels})


def _plain_points(samples: list[Sample]) -> tuple[list, list, list | None] | None:
    """(values, times, value_texts()) when every value and time is a plain int or float,
    no value NaN, every time finite and > 0; else None. A batch holds few distinct times
    (one or a few per poll cycle), so times are checked as a set."""
    values = [s.value for s in samples]
    times = [s.timestamp for s in samples]
    distinct = set(times)  # 1 and 1.0 are one member: both plain, both the same time
    if not set(map(type, distinct)) <= _NUMBER_TYPES:
        return None
    if distinct and not (math.isfinite(sum(distinct)) and min(distinct) > 0):
        return None
    if (texts := value_texts(values)) is not None:
        return values, times, texts
    kinds = set(map(type, values))  # an Inf among them, or not all plain numbers
    if not kinds <= _NUMBER_TYPES:
        return None
    if int in kinds:  # ints beyond float range that cancel out in the sum: OverflowError here
        float(max(values)), float(min(values))
    if math.isnan(sum(values)):  # NaN, or +Inf beside -Inf: look closer
        return None
    return values, times, None


# What orjson writes for ints and finite floats: digits, sign, point, exponent, comma.
_NUMBER_BYTES = b"0123456789.e+-,"


def value_texts(values: list) -> list[str] | None:
    """Each value as Prometheus text spells it, when all are plain finite numbers (ints
    within 64 bits, floats, no NaN or Inf); else None, and the caller looks closer.

    Spelled by orjson, in Rust: a float's shortest repr that reads back exactly, as
    Python's repr, 10-25 ns a value where repr takes 100-450 ns (an integral float is
    cheap for repr, a measured one with all its digits is not). Its spelling differs
    from repr only in the exponent (1e-7, not 1e-07), which Prometheus text reads
    alike. orjson writes NaN and Inf as null, a bool as true/false, other objects as
    strings, lists or maps, and refuses what it does not know; but it also writes an
    Enum as its value and a Fragment as is, so the types are checked first (plain int
    and float only), then one pass over its output for anything but number characters.
    """
    if not values:
        return []
    if not set(map(type, values)) <= _NUMBER_TYPES:
        return None
    try:
        body = orjson.dumps(values)
    except TypeError:  # an int beyond 64 bits
        return None
    inner = body[1:-1]
    if inner.translate(None, _NUMBER_BYTES):  # null: a NaN or an Inf
        return None
    return inner.decode().split(",")


def _validate_each(samples: list[Sample], known: dict[tuple, str]) -> list[str]:
    texts = []
    for index, sample in enumerate(samples):
        try:
            if not isinstance(sample, Sample):
                raise InvalidSample(f"{type(sample).__name__} is not a Sample")
            if type(sample) is SeriesSample:
                text = sample.series.text
            else:
                labels = sample.labels
                if not isinstance(labels, dict):
                    raise InvalidSample(f"labels of {sample.name!r} must be a dict")
                key = (sample.name, *labels, *labels.values())
                text = known.get(key)
                if text is None:
                    _validate_series(sample.name, labels)
                    text = known[key] = render_series(sample.name, labels)
            _check_point(sample.name, sample.value, sample.timestamp)
        except InvalidSample as exc:
            raise InvalidSample(f"sample {index}: {exc}") from None
        except (TypeError, OverflowError) as exc:  # unhashable label values, huge ints
            raise InvalidSample(f"sample {index}: {exc}") from None
        texts.append(text)
    return texts
