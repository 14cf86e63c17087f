"""Reports API: the numbers of the console's reports page, as JSON.

GET /api/v1/reports/availability/?period=7d (or start=&end=)&site=
GET /api/v1/reports/top/?period=7d&n=10
Technicians get their own devices only. Bad input is a 400 naming the field.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from monitoring.metrics.api import visible_devices
from monitoring.metrics.store import BackendUnavailable, QueryError
from monitoring.models import Device
from wardflux.permissions import ALL_ROLES

from .. import reports, tables

PERIOD_PARAMS = [
    OpenApiParameter("period", str, description="24h, 7d (default) or 30d"),
    OpenApiParameter("start", str, description="date or ISO time; overrides period"),
    OpenApiParameter("end", str, description="date or ISO time; default now"),
]


def _period_json(period: reports.Period) -> dict:
    return {"start": period.start.isoformat(), "end": period.end.isoformat()}


class ReportView(APIView):
    read_roles = ALL_ROLES

    def handle_exception(self, exc):
        if isinstance(exc, reports.ReportError):
            return Response({exc.field: [str(exc)]}, status=400)
        if isinstance(exc, QueryError):
            return Response({exc.parameter: [str(exc)]}, status=400)
        if isinstance(exc, BackendUnavailable):
            return Response({"detail": f"metrics store: {exc}"}, status=503)
        return super().handle_exception(exc)


class AvailabilityReportView(ReportView):
    @extend_schema(
        parameters=[*PERIOD_PARAMS, OpenApiParameter("site", str)], responses={200: dict}
    )
    def get(self, request):
        period = reports.parse_period(request.query_params)
        devices = Device.objects.visible_to(request.user)
        if request.query_params.get("site"):
            devices = devices.filter(site=request.query_params["site"])
        found = reports.availability_report(devices, period)
        return Response(
            {
                "period": _period_json(period),
                "devices": tables.availability_rows(found["devices"]),
                "sites": tables.site_rows(found["sites"]),
                "incidents": tables.incident_rows(found["incidents"]),
            }
        )


class TopReportView(ReportView):
    @extend_schema(parameters=[*PERIOD_PARAMS, OpenApiParameter("n", int)], responses={200: dict})
    def get(self, request):
        period = reports.parse_period(request.query_params)
        n = reports.parse_top_n(request.query_params)
        names = visible_devices(request.user)
        return Response(
            {
                "period": _period_json(period),
                "interfaces": reports.top_interfaces(period, n, names),
                "cpu": reports.top_cpu(period, n, names),
            }
        )
