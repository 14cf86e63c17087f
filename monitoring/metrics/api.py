"""Metrics API: query, query_range, promql (VictoriaMetrics only) and the push import.

Answers use Prometheus' response shape on both back ends. Technicians see only
series whose `device` label names one of their devices.
"""

import time

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.parsers import BaseParser
from rest_framework.response import Response
from rest_framework.views import APIView

from monitoring.models import Device
from wardflux.permissions import ALL_ROLES, STAFF_ROLES
from wardflux.roles import is_technician

from . import results
from .params import parse_duration, parse_matchers, parse_time
from .promtext import PromTextError, parse_numbered
from .push import device_samples
from .spool import SpoolFull
from .store import DEFAULT_LOOKBACK_S, BackendUnavailable, NotSupported, QueryError, get_store


def error(status: int, error_type: str, message: str, **extra) -> Response:
    body = {"status": "error", "errorType": error_type, "error": message, **extra}
    return Response(body, status=status)


def visible_devices(user) -> set[str] | None:
    """Device names a technician may see; None means every device."""
    if not is_technician(user):
        return None
    return set(Device.objects.visible_to(user).values_list("name", flat=True))


class MetricsView(APIView):
    read_roles = ALL_ROLES
    write_roles = STAFF_ROLES

    def handle_exception(self, exc):
        if isinstance(exc, QueryError):
            return error(400, "bad_data", f"{exc.parameter}: {exc}", parameter=exc.parameter)
        if isinstance(exc, NotSupported):
            return error(400, "not_supported", str(exc), parameter="query")
        if isinstance(exc, BackendUnavailable | SpoolFull):
            return error(503, "unavailable", f"metrics store: {exc}")
        return super().handle_exception(exc)


class QueryView(MetricsView):
    """Latest value per series: ?metric=ping_rtt_ms&device=R1 (label=~regex for regex)."""

    @extend_schema(
        parameters=[OpenApiParameter("metric", str, required=True)], responses={200: dict}
    )
    def get(self, request):
        p = request.query_params
        at = parse_time(p.get("time"), "time", default=time.time())
        lookback = p.get("lookback")
        lookback_s = parse_duration(lookback, "lookback") if lookback else DEFAULT_LOOKBACK_S
        found = get_store().query(
            p.get("metric", ""),
            parse_matchers(p),
            at=at,
            lookback_s=lookback_s,
            devices=visible_devices(request.user),
        )
        return Response(results.response("vector", found))


class QueryRangeView(MetricsView):
    """?metric=&start=&end=&step=60s&agg=avg|min|max|last plus label matchers."""

    @extend_schema(
        parameters=[
            OpenApiParameter("metric", str, required=True),
            OpenApiParameter("start", str, required=True),
            OpenApiParameter("end", str),
            OpenApiParameter("step", str, required=True),
            OpenApiParameter("agg", str),
        ],
        responses={200: dict},
    )
    def get(self, request):
        p = request.query_params
        start = parse_time(p.get("start"), "start")
        end = parse_time(p.get("end"), "end", default=time.time())
        step = parse_duration(p.get("step"), "step")
        found = get_store().query_range(
            p.get("metric", ""),
            parse_matchers(p),
            start,
            end,
            step,
            agg=p.get("agg", "avg"),
            devices=visible_devices(request.user),
        )
        return Response(results.response("matrix", found))


class PromQLView(MetricsView):
    """PromQL passthrough (VictoriaMetrics only): ?query=&time= or ?query=&start=&end=&step=."""

    @extend_schema(
        parameters=[OpenApiParameter("query", str, required=True)], responses={200: dict}
    )
    def get(self, request):
        p = request.query_params
        expr = p.get("query", "").strip()
        if not expr:
            raise QueryError("query", "query is required")
        params = {"devices": visible_devices(request.user)}
        if p.get("start"):
            start = parse_time(p.get("start"), "start")
            end = parse_time(p.get("end"), "end", default=time.time())
            step = parse_duration(p.get("step"), "step")
            if end < start:
                raise QueryError("end", "end is before start")
            if (end - start) / step + 1 > 11_000:
                raise QueryError("step", "more than 11000 points per series: use a longer step")
            params.update(start=start, end=end, step=step)
        elif p.get("time"):
            params["time"] = parse_time(p.get("time"), "time")
        return Response({"status": "success", "data": get_store().promql(expr, **params)})


class PromTextParser(BaseParser):
    """The body as text, whatever the Content-Type (curl sends form encoding by default)."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read().decode("utf-8") if stream else ""


class ImportView(MetricsView):
    """Push samples as Prometheus text; each needs a `device` label naming a known device."""

    parser_classes = [PromTextParser]

    @extend_schema(request={"text/plain": str}, responses={200: dict})
    def post(self, request):
        try:
            numbered = parse_numbered(request.data if isinstance(request.data, str) else "")
            if not numbered:
                return error(400, "bad_data", "no samples in the body")
            names = {s.labels.get("device", "") for _, s in numbered}
            ips = dict(Device.objects.filter(name__in=names).values_list("name", "ip_address"))
            samples = device_samples(numbered, ips)
        except UnicodeDecodeError:
            return error(400, "bad_data", "body is not UTF-8 text")
        except PromTextError as exc:  # a line that cannot be parsed or stored
            return error(400, "bad_data", str(exc), line=exc.line)
        get_store().write(samples)
        return Response({"status": "success", "data": {"samples": len(samples)}})
