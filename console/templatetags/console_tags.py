"""Small display helpers for the console templates: durations, ages, rates, roles."""

from datetime import datetime

from django import template
from django.utils import timezone

from wardflux.roles import role_of

from ..access import may_act

register = template.Library()


@register.filter
def duration(seconds) -> str:
    """3725 -> '1h 2m'; the two largest units, enough to read at a glance."""
    if seconds is None:
        return "—"
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return " ".join(parts[:2])


@register.filter
def age(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    return duration((timezone.now() - moment).total_seconds())


@register.filter
def bps(value) -> str:
    if value is None:
        return "—"
    value = float(value)
    for unit, size in (("Gbit/s", 1e9), ("Mbit/s", 1e6), ("kbit/s", 1e3)):
        if value >= size:
            return f"{value / size:.1f} {unit}"
    return f"{value:.0f} bit/s"


@register.filter
def pct(value, digits: int = 1) -> str:
    return "—" if value is None else f"{float(value):.{int(digits)}f} %"


@register.filter
def sla(value) -> str:
    """SLA percentages need the decimals: 99.95 and 99.5 are very different months."""
    return "no data" if value is None else f"{float(value):.3f} %"


@register.simple_tag
def role(user) -> str:
    return role_of(user) or ""


@register.simple_tag
def can_act(user) -> bool:
    return may_act(user)
