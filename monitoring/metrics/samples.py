"""The sample: the unit every poller writes and every reader and the alert engine see.

Names and labels follow Prometheus' rules; values are floats; timestamps are Unix
seconds (float). Labels always carry `device` and `ip` for device series.
"""

import math
import re
from dataclasses import dataclass, field

METRIC_NAME_RE = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
LABEL_NAME_RE = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
MAX_LABEL_VALUE_LENGTH = 1024


class InvalidSample(ValueError):
    """A sample that must not be written; the message says which part is wrong."""


@dataclass(frozen=True, slots=True)
class Sample:
    name: str
    labels: dict[str, str] = field(hash=False)
    timestamp: float
    value: float

    def series_key(self) -> tuple:
        return (self.name, tuple(sorted(self.labels.items())))


def validate_sample(sample: Sample) -> None:
    """Raise InvalidSample naming the bad part; return quietly when the sample is fine."""
    if not METRIC_NAME_RE.match(sample.name or ""):
        raise InvalidSample(f"metric name {sample.name!r} is not a valid Prometheus name")
    for name, value in sample.labels.items():
        if not LABEL_NAME_RE.match(name) or name.startswith("__"):
            raise InvalidSample(f"label name {name!r} is not a valid Prometheus label name")
        if not isinstance(value, str):
            raise InvalidSample(f"label {name!r} must be a string, not {type(value).__name__}")
        if len(value) > MAX_LABEL_VALUE_LENGTH or "\n" in value:
            raise InvalidSample(f"label {name!r} value is too long or holds a newline")
    if not isinstance(sample.value, int | float) or math.isnan(sample.value):
        raise InvalidSample(f"value {sample.value!r} of {sample.name} is not a number")
    ts = sample.timestamp
    if not isinstance(ts, int | float) or not math.isfinite(ts) or ts <= 0:
        raise InvalidSample(f"timestamp {sample.timestamp!r} of {sample.name} is not a Unix time")


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
    get = _VALID_SERIES.get
    texts = [get((s.name, *(lb := s.labels), *lb.values())) for s in samples]
    if None in texts:
        texts = [t or render_series(s.name, s.labels) for t, s in zip(texts, samples, strict=True)]
    return texts


def validate_samples(samples: list[Sample]) -> list[str]:
    """validate_sample over a batch, checking each distinct series only once per process.

    Returns each sample's series text (render_series), which the back ends reuse.
    Raises InvalidSample for the first bad sample, prefixed by its index in the batch.
    The common batch (only known series, plain int/float values and times, no NaN) is
    checked with a few whole-batch passes; anything else goes sample by sample, which
    also names the bad one.
    """
    known = _VALID_SERIES
    if len(known) > _VALID_SERIES_MAX:
        known.clear()
    try:
        if set(map(type, samples)) <= {Sample}:
            labels = [s.labels for s in samples]
            values = [s.value for s in samples]
            times = [s.timestamp for s in samples]
            if (
                set(map(type, labels)) <= {dict}
                and set(map(type, values)) <= _NUMBER_TYPES
                and set(map(type, times)) <= _NUMBER_TYPES
                and not math.isnan(sum(values))  # NaN, or +Inf beside -Inf: look closer
                and (not times or (math.isfinite(sum(times)) and min(times) > 0))
            ):
                get = known.get
                texts = [
                    get((s.name, *lb, *lb.values())) for s, lb in zip(samples, labels, strict=True)
                ]
                if None not in texts:
                    return texts
    except (TypeError, OverflowError):  # unhashable label values, huge ints: look closer
        pass
    return _validate_each(samples, known)


def _validate_each(samples: list[Sample], known: dict[tuple, str]) -> list[str]:
    texts = []
    isnan, isfinite = math.isnan, math.isfinite
    for index, sample in enumerate(samples):
        try:
            if not isinstance(sample, Sample):
                raise InvalidSample(f"{type(sample).__name__} is not a Sample")
            labels = sample.labels
            if not isinstance(labels, dict):
                raise InvalidSample(f"labels of {sample.name!r} must be a dict")
            key = (sample.name, *labels, *labels.values())
            text = known.get(key)
            if text is None:
                validate_sample(sample)
                text = known[key] = render_series(sample.name, labels)
            value, ts = sample.value, sample.timestamp
            if not isinstance(value, int | float) or isnan(value):
                raise InvalidSample(f"value {value!r} of {sample.name} is not a number")
            if not isinstance(ts, int | float) or not isfinite(ts) or ts <= 0:
                raise InvalidSample(f"timestamp {ts!r} of {sample.name} is not a Unix time")
        except InvalidSample as exc:
            raise InvalidSample(f"sample {index}: {exc}") from None
        except (TypeError, OverflowError) as exc:  # unhashable label values, huge ints
            raise InvalidSample(f"sample {index}: {exc}") from None
        texts.append(text)
    return texts
