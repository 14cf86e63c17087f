"""Label matchers: how callers say which series they want.

A match is a dict label -> value. A plain value matches exactly; a value starting
with "~" is a regular expression matched against the whole label value, as
Prometheus does (`{"device": "~R.*"}` is `device=~"R.*"`). For negations give
LabelMatcher objects: LabelMatcher("ifName", "!~", "Vlan.*"). A label a series
does not have matches as the empty string, as in Prometheus.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .samples import LABEL_NAME_RE
from .samples import escape_label_value as escape_promql_string

OPS = ("=", "!=", "=~", "!~")
REGEX_PREFIX = "~"
# Characters with a meaning in RE2 and Python regexes alike.
_REGEX_SPECIAL = re.compile(r"([\\.+*?()|\[\]{}^$])")


class InvalidMatcher(ValueError):
    """A matcher that cannot be used; `label` names it."""

    def __init__(self, label: str, message: str):
        super().__init__(message)
        self.label = label


@dataclass(frozen=True)
class LabelMatcher:
    label: str
    op: str
    value: str
    _regex: re.Pattern | None = field(default=None, compare=False, repr=False)

    def __post_init__(self):
        if not LABEL_NAME_RE.match(self.label or ""):
            raise InvalidMatcher(self.label, f"label name {self.label!r} is not valid")
        if self.op not in OPS:
            raise InvalidMatcher(self.label, f"operator {self.op!r} is not one of {OPS}")
        if self.op in ("=~", "!~"):
            try:
                object.__setattr__(self, "_regex", re.compile(self.value))
            except re.error as exc:
                raise InvalidMatcher(self.label, f"regex for {self.label!r}: {exc}") from exc

    def matches(self, labels: Mapping[str, str]) -> bool:
        actual = labels.get(self.label, "")
        if self.op == "=":
            return actual == self.value
        if self.op == "!=":
            return actual != self.value
        hit = self._regex.fullmatch(actual) is not None
        return hit if self.op == "=~" else not hit

    def to_promql(self) -> str:
        return f'{self.label}{self.op}"{escape_promql_string(self.value)}"'


def parse_match(match: Mapping[str, str] | Iterable[LabelMatcher] | None) -> list[LabelMatcher]:
    if not match:
        return []
    if isinstance(match, Mapping):
        out = []
        for label, value in match.items():
            if isinstance(value, LabelMatcher):
                out.append(value)
            elif isinstance(value, str) and value.startswith(REGEX_PREFIX):
                out.append(LabelMatcher(label, "=~", value[len(REGEX_PREFIX) :]))
            else:
                out.append(LabelMatcher(label, "=", str(value)))
        return out
    return list(match)


def devices_matcher(devices: Iterable[str]) -> LabelMatcher:
    """A matcher for `device` being one of these names (a technician's devices)."""
    names = sorted(set(devices))
    return LabelMatcher("device", "=~", "|".join(escape_regex(n) for n in names))


def escape_regex(text: str) -> str:
    return _REGEX_SPECIAL.sub(r"\\\1", text)


def selector(metric: str, matchers: Iterable[LabelMatcher]) -> str:
    inner = ",".join(m.to_promql() for m in matchers)
    return f"{metric}{{{inner}}}"
