"""Reports page and its CSV downloads (the numbers come from console/reports.py)."""

from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render

from monitoring.metrics.api import visible_devices
from monitoring.metrics.store import BackendUnavailable
from monitoring.models import Device

from .. import reports, tables
from ..access import console_view

CSV_KINDS = ("availability", "sites", "incidents", "top-interfaces", "top-cpu")


def _data(request, period: reports.Period, n: int) -> dict:
    devices = Device.objects.visible_to(request.user)
    site = request.GET.get("site", "")
    if site:
        devices = devices.filter(site=site)
    found = reports.availability_report(devices, period)
    names = visible_devices(request.user)
    try:
        found["top_interfaces"] = reports.top_interfaces(period, n, names)
        found["top_cpu"] = reports.top_cpu(period, n, names)
        found["metrics_error"] = ""
    except BackendUnavailable as exc:
        found["top_interfaces"], found["top_cpu"] = [], []
        found["metrics_error"] = str(exc)
    return found


@console_view()
def reports_page(request):
    try:
        period = reports.parse_period(request.GET)
        n = reports.parse_top_n(request.GET)
    except reports.ReportError as exc:
        return HttpResponseBadRequest(f"{exc.field}: {exc}")
    context = {
        "period": period,
        "periods": list(reports.PERIODS),
        "n": n,
        "site": request.GET.get("site", ""),
        "site_names": sorted(
            set(Device.objects.visible_to(request.user).values_list("site", flat=True))
        ),
        "query": request.GET.urlencode(),
        **_data(request, period, n),
    }
    return render(request, "console/reports.html", context)


@console_view()
def report_csv(request, kind: str):
    if kind not in CSV_KINDS:
        raise Http404("No such report.")
    try:
        period = reports.parse_period(request.GET)
        n = reports.parse_top_n(request.GET)
    except reports.ReportError as exc:
        return HttpResponseBadRequest(f"{exc.field}: {exc}")
    data = _data(request, period, n)
    rows = {
        "availability": lambda: tables.availability_rows(data["devices"]),
        "sites": lambda: tables.site_rows(data["sites"]),
        "incidents": lambda: tables.incident_rows(data["incidents"]),
        "top-interfaces": lambda: data["top_interfaces"],
        "top-cpu": lambda: data["top_cpu"],
    }[kind]()
    return tables.csv_response(kind, period, rows)
