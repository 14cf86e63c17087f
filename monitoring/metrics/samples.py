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
    if not isinstance(sample.timestamp, int | float) or sample.timestamp <= 0:
        raise InvalidSample(f"timestamp {sample.timestamp!r} of {sample.name} is not a Unix time")


# Series (name and labels) already found valid in this process: a poller writes the same
# series every cycle, so each is checked in full once and then only its value and time.
_VALID_SERIES: set[tuple] = set()
_VALID_SERIES_MAX = 200_000


def validate_samples(samples: list[Sample]) -> None:
    """validate_sample over a batch, checking each distinct series only once per process.

    Raises InvalidSample for the first bad sample, prefixed by its index in the batch.
    """
    known = _VALID_SERIES
    if len(known) > _VALID_SERIES_MAX:
        known.clear()
    isnan = math.isnan
    # (name, id(labels)) already known in this batch: samples of one series often share
    # their labels dict, so its tuple is built once, not per sample (all stay alive, so
    # no id is reused within the batch).
    checked: set[tuple] = set()
    for index, sample in enumerate(samples):
        try:
            if not isinstance(sample, Sample):
                raise InvalidSample(f"{type(sample).__name__} is not a Sample")
            labels = sample.labels
            if not isinstance(labels, dict):
                raise InvalidSample(f"labels of {sample.name!r} must be a dict")
            ref = (sample.name, id(labels))
            if ref not in checked:
                key = (sample.name, *labels.items())
                checked.add(ref)
                if key not in known:
                    validate_sample(sample)
                    known.add(key)
                    continue
            value, ts = sample.value, sample.timestamp
            if not isinstance(value, int | float) or isnan(value):
                raise InvalidSample(f"value {value!r} of {sample.name} is not a number")
            if not isinstance(ts, int | float) or ts <= 0:
                raise InvalidSample(f"timestamp {ts!r} of {sample.name} is not a Unix time")
        except InvalidSample as exc:
            raise InvalidSample(f"sample {index}: {exc}") from None
        except TypeError as exc:  # unhashable label values and the like
            raise InvalidSample(f"sample {index}: {exc}") from None
