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
