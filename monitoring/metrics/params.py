"""Query-string parsing for the metrics API: times, durations, label matchers.

Bad input raises QueryError naming the parameter; the view turns it into a 400.
"""

import re
from datetime import datetime

from .matchers import InvalidMatcher, LabelMatcher, parse_match
from .store import QueryError

# Query parameters that are not label matchers (a label of one of these names
# cannot be matched through the API; use PromQL on VictoriaMetrics).
RESERVED = frozenset({"metric", "start", "end", "step", "agg", "time", "lookback", "query"})
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)?$")
_UNIT_S = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, None: 1}


def parse_duration(value: str | None, parameter: str) -> float:
    """Seconds from '90', '90s', '5m', '1h', '1d' (a bare number is seconds)."""
    m = _DURATION.match((value or "").strip())
    if not m:
        raise QueryError(parameter, f"{parameter} must be seconds or a duration like 60s, 5m, 1h")
    seconds = float(m.group(1)) * _UNIT_S[m.group(2)]
    if seconds <= 0:
        raise QueryError(parameter, f"{parameter} must be positive")
    return seconds


def parse_time(value: str | None, parameter: str, default: float | None = None) -> float:
    """Unix seconds from '1700000000(.5)' or RFC 3339 ('2024-05-01T10:00:00Z')."""
    if value in (None, ""):
        if default is None:
            raise QueryError(parameter, f"{parameter} is required")
        return default
    try:
        return float(value)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise QueryError(parameter, f"{parameter} must be Unix seconds or RFC 3339") from None
    if parsed.tzinfo is None:
        raise QueryError(parameter, f"{parameter} needs a time zone (e.g. a trailing Z)")
    return parsed.timestamp()


def parse_matchers(params) -> list[LabelMatcher]:
    """Every non-reserved parameter is a label: `device=R1` exact, `device=~R.*` regex."""
    wanted = {k: v for k, v in params.items() if k not in RESERVED}
    try:
        return parse_match(wanted)
    except InvalidMatcher as exc:
        raise QueryError(exc.label, str(exc)) from exc
