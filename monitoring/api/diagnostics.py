"""Diagnostics API: ping, traceroute and mtr on a device or an address, for operators.

No shell: every probe goes through ``monitoring.diagnostics``. Bounded: each request's
worst case (every probe timing out) is at most API_MAX_TOTAL_S; the serializers refuse
anything longer with a 400 naming the field. A hostname is resolved once, here; the
diagnostics then probe the resolved address, and the answer shows both. Technicians may
only probe their own devices, by id or address (any other target is 404).
"""

from __future__ import annotations

import dataclasses

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from wardflux.permissions import ACTING_ROLES, STAFF_ROLES
from wardflux.roles import role_of

from .. import diagnostics as diag
from ..icmp.sockets import ClearError
from ..models import Device

API_MAX_TOTAL_S = 60  # worst case of one request; keep below the web server's timeout


class TargetSerializer(serializers.Serializer):
    device = serializers.IntegerField(required=False, min_value=1)
    address = serializers.CharField(required=False, max_length=253, trim_whitespace=True)
    timeout_ms = serializers.IntegerField(
        required=False, default=1000, min_value=50, max_value=5000
    )

    def validate(self, data: dict) -> dict:
        if ("device" in data) == ("address" in data):
            field = "address" if "device" not in data else "device"
            raise ValidationError({field: "Give either a device id or an address, not both."})
        return data

    @staticmethod
    def check_total(field: str, worst_s: float) -> None:
        if worst_s > API_MAX_TOTAL_S:
            raise ValidationError(
                {field: f"This would run up to {worst_s:.0f} s; the limit is {API_MAX_TOTAL_S} s."}
            )


class PingSerializer(TargetSerializer):
    count = serializers.IntegerField(default=4, min_value=1, max_value=diag.MAX_PING_COUNT)
    interval_ms = serializers.IntegerField(default=1000, min_value=10, max_value=10_000)
    size = serializers.IntegerField(default=56, min_value=0, max_value=diag.MAX_PAYLOAD_BYTES)

    def validate(self, data: dict) -> dict:
        data = super().validate(data)
        worst = (data["count"] - 1) * data["interval_ms"] / 1000 + data["timeout_ms"] / 1000
        self.check_total("count", worst)
        return data


class TracerouteSerializer(TargetSerializer):
    max_hops = serializers.IntegerField(default=30, min_value=1, max_value=diag.MAX_HOPS)
    count = serializers.IntegerField(default=3, min_value=1, max_value=diag.MAX_PROBES_PER_HOP)

    def validate(self, data: dict) -> dict:
        data = super().validate(data)
        self.check_total("max_hops", data["max_hops"] * data["timeout_ms"] / 1000)
        return data


class MtrSerializer(TargetSerializer):
    cycles = serializers.IntegerField(default=10, min_value=1, max_value=diag.MAX_MTR_CYCLES)
    max_hops = serializers.IntegerField(default=30, min_value=1, max_value=diag.MAX_HOPS)
    interval_ms = serializers.IntegerField(default=1000, min_value=100, max_value=10_000)

    def validate(self, data: dict) -> dict:
        data = super().validate(data)
        per_cycle = max(data["interval_ms"], data["timeout_ms"]) / 1000
        self.check_total("cycles", data["cycles"] * per_cycle)
        return data


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


class DiagnosticView(APIView):
    """Parse the body, resolve the target once, run the probe, shape the answer."""

    write_roles = ACTING_ROLES
    serializer_class: type[TargetSerializer] = TargetSerializer

    def post(self, request):
        body = self.serializer_class(data=request.data)
        body.is_valid(raise_exception=True)
        options = dict(body.validated_data)
        device = self._device(request, options.pop("device", None))
        query = str(device.ip_address) if device else options.pop("address")
        options.pop("address", None)
        try:
            target = diag.resolve(query)
        except ValueError as err:
            raise ValidationError({"address": str(err)}) from None
        if device is None and role_of(request.user) not in STAFF_ROLES:
            # A technician may name an address, but only one of their own devices'.
            visible = Device.objects.visible_to(request.user)
            device = visible.filter(ip_address=target.address).order_by("pk").first()
            if device is None:
                raise Http404("No device of yours has this address.")
        try:
            answer = self.run(target.address, timeout_s=options.pop("timeout_ms") / 1000, **options)
        except ClearError as err:
            return Response({"detail": str(err)}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        except ValueError as err:  # a bound the serializer did not know of
            raise ValidationError({"non_field_errors": [str(err)]}) from None
        head = {"target": dataclasses.asdict(target), "device": device.pk if device else None}
        return Response(head | answer)

    def _device(self, request, device_id: int | None) -> Device | None:
        if device_id is None:
            return None
        return get_object_or_404(Device.objects.visible_to(request.user), pk=device_id)

    def run(self, address: str, **options) -> dict:
        raise NotImplementedError


class PingView(DiagnosticView):
    serializer_class = PingSerializer

    @extend_schema(request=PingSerializer, responses={200: dict})
    def post(self, request):
        return super().post(request)

    def run(self, address: str, count: int, interval_ms: int, size: int, timeout_s: float):
        report = diag.ping(address, count, interval_ms, size, timeout_s)
        return {
            "count": count,
            "size": size,
            "sent": report.sent,
            "received": report.received,
            "loss_pct": report.loss_pct,
            "min_ms": _ms(report.min_ms),
            "avg_ms": _ms(report.avg_ms),
            "max_ms": _ms(report.max_ms),
            "stdev_ms": _ms(report.stdev_ms),
            "jitter_ms": _ms(report.jitter_ms),
            "replies": [{"address": address, "rtt_ms": _ms(r)} for r in report.rtts_ms],
            "errors": report.errors,
        }


def _hop(hop) -> dict:
    data = dataclasses.asdict(hop)
    data["address"] = hop.addresses[0] if hop.addresses else None
    for key, value in data.items():
        if key.endswith("_ms"):
            data[key] = [_ms(v) for v in value] if isinstance(value, list) else _ms(value)
    return data


class TracerouteView(DiagnosticView):
    serializer_class = TracerouteSerializer

    @extend_schema(request=TracerouteSerializer, responses={200: dict})
    def post(self, request):
        return super().post(request)

    def run(self, address: str, max_hops: int, count: int, timeout_s: float) -> dict:
        report = diag.traceroute(address, max_hops, count, timeout_s)
        return {"is_complete": report.is_complete, "hops": [_hop(h) for h in report.hops]}


class MtrView(DiagnosticView):
    serializer_class = MtrSerializer

    @extend_schema(request=MtrSerializer, responses={200: dict})
    def post(self, request):
        return super().post(request)

    def run(self, address: str, cycles: int, max_hops: int, interval_ms: int, timeout_s: float):
        report = diag.mtr(address, cycles, max_hops, interval_ms, timeout_s)
        return {"cycles": report.cycles, "hops": [_hop(h) for h in report.hops]}
