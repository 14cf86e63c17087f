"""Report rows as plain table data: one shape for the CSV downloads and the API."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse

from .reports import Availability, Incident, Period

__all__ = ["availability_rows", "csv_response", "incident_rows", "site_rows"]


def _r(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def availability_rows(rows: list[Availability]) -> list[dict]:
    return [
        {
            "device_id": r.device_id,
            "device": r.device,
            "site": r.site,
            "sla_pct": _r(r.sla_pct),
            "up_s": _r(r.up_s, 1),
            "down_s": _r(r.down_s, 1),
            "unreachable_s": _r(r.unreachable_s, 1),
            "unknown_s": _r(r.unknown_s, 1),
            "incidents": len(r.incidents),
        }
        for r in rows
    ]


def site_rows(sites: list[dict]) -> list[dict]:
    return [
        {
            "site": s["site"],
            "devices": s["devices"],
            "sla_pct": _r(s["sla_pct"]),
            "up_s": _r(s["up_s"], 1),
            "downtime_s": _r(s["downtime_s"], 1),
            "incidents": s["incidents"],
        }
        for s in sites
    ]


def incident_rows(incidents: list[Incident]) -> list[dict]:
    return [
        {
            "device_id": i.device_id,
            "device": i.device,
            "site": i.site,
            "state": i.state,
            "start": i.start.isoformat(),
            "end": i.end.isoformat() if i.end else None,
            "duration_s": _r(i.duration_s, 1),
            "reason": i.reason,
        }
        for i in incidents
    ]


def csv_response(name: str, period: Period, rows: list[dict]) -> HttpResponse:
    """A CSV download; the file name carries the report and the period's dates."""
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    stamp = f"{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    response["Content-Disposition"] = f'attachment; filename="wardflux-{name}-{stamp}.csv"'
    return response
