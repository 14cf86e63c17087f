"""Maintenance windows as plain functions: does a window cover a moment, is it valid.

Weekly windows repeat the first occurrence every 7 days in local wall-clock time
(settings.TIME_ZONE), so a 02:00-04:00 Sunday window stays 02:00-04:00 across DST.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from .choices import Recurrence

WEEK = timedelta(days=7)


def window_covers(
    start: datetime, end: datetime, recurrence: str, until: datetime | None, at: datetime
) -> bool:
    if recurrence != Recurrence.WEEKLY:
        return start <= at < end
    if at < start or (until is not None and at > until):
        return False
    tz = ZoneInfo(settings.TIME_ZONE)
    start_l, end_l, at_l = (d.astimezone(tz).replace(tzinfo=None) for d in (start, end, at))
    weeks = (at_l - start_l) // WEEK
    occurrence = start_l + weeks * WEEK
    return occurrence <= at_l < occurrence + (end_l - start_l)


def window_errors(start, end, recurrence: str, sites) -> dict[str, str]:
    errors: dict[str, str] = {}
    if start and end and end <= start:
        errors["end"] = "The end must be after the start."
    elif start and end and recurrence == Recurrence.WEEKLY and end - start >= WEEK:
        errors["end"] = "A weekly window must last less than a week."
    if not isinstance(sites, list) or not all(isinstance(s, str) for s in sites):
        errors["sites"] = "A list of site names."
    return errors


def to_datetime(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)
