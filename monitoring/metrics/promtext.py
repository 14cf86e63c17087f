"""Parser for Prometheus exposition text, as POST /api/v1/metrics/import takes it.

One sample a line: `name{label="v",...} value [timestamp_ms]`. Blank lines and
`#` comments (HELP, TYPE) are skipped. Label values use the text format's escapes
(\\\\, \\", \\n). A bad line raises PromTextError with its 1-based line number.

A script pushes the same series every time, so each series' text (what comes before
the value) is parsed and checked once per process: its Series is kept by that text,
and a line whose series text is known costs a dict lookup and its value and time
(~2 µs a line instead of ~9). Its samples are that Series' samples, which the store
does not check again. A text is kept only when the full parse found the series to
end exactly where the cheap rule (after the last "}", else at the name's end) says.
"""

import re
import time

from .samples import LABEL_NAME_RE, METRIC_NAME_RE, InvalidSample, Sample, Series

_SERIES: dict[str, Series] = {}
_SERIES_MAX = 100_000

_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\\n]|\\.)*)"\s*')
_UNESCAPE = re.compile(r"\\(.)")
_ESCAPES = {"\\": "\\", '"': '"', "n": "\n"}


class PromTextError(ValueError):
    """A pushed line that cannot be parsed (or, from push.py, stored); `line` is its
    1-based number, `reason` what is wrong with it."""

    def __init__(self, line: int, reason: str):
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


def _unescape(raw: str, lineno: int) -> str:
    def one(m: re.Match) -> str:
        if m.group(1) not in _ESCAPES:
            raise PromTextError(lineno, f"unknown escape \\{m.group(1)} in a label value")
        return _ESCAPES[m.group(1)]

    return _UNESCAPE.sub(one, raw)


def parse_line(line: str, lineno: int, now: float) -> Sample:
    brace = line.rfind("}")
    end = brace + 1 if brace >= 0 else _name_end(line)
    series = _SERIES.get(line[:end])
    if series is not None:
        try:
            return series.sample(*_point(line, end, lineno, now))
        except PromTextError:  # the full parse names the fault as it always has
            pass
    name, labels, pos = _series(line, lineno)
    timestamp, value = _point(line, pos, lineno, now)
    if pos != end:
        return Sample(name, labels, timestamp, value)
    try:
        series = Series(name, labels)
    except InvalidSample:  # e.g. a label value too long: the caller's check names it
        return Sample(name, labels, timestamp, value)
    if len(_SERIES) >= _SERIES_MAX:
        _SERIES.clear()
    _SERIES[line[:end]] = series
    return series.sample(timestamp, value)


def _name_end(line: str) -> int:
    m = _NAME.match(line)
    return m.end() if m else 0


def _series(line: str, lineno: int) -> tuple[str, dict[str, str], int]:
    """The line's metric name and labels, and where they end."""
    m = _NAME.match(line)
    if not m or not METRIC_NAME_RE.match(m.group()):
        raise PromTextError(lineno, "expected a metric name at the start")
    name, pos = m.group(), m.end()
    labels: dict[str, str] = {}
    if pos < len(line) and line[pos] == "{":
        pos += 1
        while True:
            if line.startswith("}", pos):
                pos += 1
                break
            lm = _LABEL.match(line, pos)
            if not lm:
                raise PromTextError(lineno, f"bad label at column {pos + 1}")
            label = lm.group(1)
            if label in labels:
                raise PromTextError(lineno, f"label {label!r} given twice")
            if label.startswith("__") or not LABEL_NAME_RE.match(label):
                raise PromTextError(lineno, f"label name {label!r} is reserved or invalid")
            labels[label] = _unescape(lm.group(2), lineno)
            pos = lm.end()
            if line.startswith(",", pos):
                pos += 1
            elif not line.startswith("}", pos):
                raise PromTextError(lineno, f"expected ',' or '}}' at column {pos + 1}")
    return name, labels, pos


def _point(line: str, pos: int, lineno: int, now: float) -> tuple[float, float]:
    """(timestamp, value) from what follows the series at `pos`."""
    rest = line[pos:].split()
    if not line[pos : pos + 1].isspace() or not 1 <= len(rest) <= 2:
        raise PromTextError(lineno, "expected a value and an optional timestamp after the name")
    try:
        value = float(rest[0])
    except ValueError:
        raise PromTextError(lineno, f"value {rest[0]!r} is not a number") from None
    if value != value:
        raise PromTextError(lineno, "value NaN cannot be stored")
    timestamp = now
    if len(rest) == 2:
        try:
            timestamp = int(rest[1]) / 1000
        except ValueError:
            raise PromTextError(lineno, f"timestamp {rest[1]!r} is not integer ms") from None
        if timestamp <= 0:
            raise PromTextError(lineno, f"timestamp {rest[1]} is not a Unix time in ms")
    return timestamp, value


def parse_numbered(text: str, now: float | None = None) -> list[tuple[int, Sample]]:
    """(line number, sample) for every sample line, or PromTextError for the first bad one."""
    now = time.time() if now is None else now
    out = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line and not line.startswith("#"):
            out.append((lineno, parse_line(line, lineno, now)))
    return out


def parse(text: str, now: float | None = None) -> list[Sample]:
    return [sample for _, sample in parse_numbered(text, now)]
