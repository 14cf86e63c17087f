"""Alerts API: thin viewsets; each declares the roles that may read and write."""

from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from wardflux.permissions import ACTING_ROLES, ADMIN_ONLY, ALL_ROLES, STAFF_ROLES

from ..actions import NotOpen, acknowledge, preview, send_test
from ..models import Alert, AlertRule, MaintenanceWindow, NotificationChannel
from . import serializers as s
from .filters import AlertFilter


class AlertRuleViewSet(viewsets.ModelViewSet):
    # devices, tags, templates, channels: listed for every rule on the page.
    queryset = AlertRule.objects.prefetch_related("devices", "tags", "templates", "channels")
    serializer_class = s.AlertRuleSerializer
    filterset_fields = ["metric", "severity", "enabled"]
    search_fields = ["name", "metric"]
    ordering_fields = ["name", "severity", "metric"]
    read_roles = ALL_ROLES
    write_roles = STAFF_ROLES
    action_roles = {"preview": ALL_ROLES}

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"])
    def preview(self, request, pk=None):
        """Devices that would fire now on the latest data."""
        return Response({"would_fire": preview(self.get_object())})


class AlertViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.AlertSerializer
    filterset_class = AlertFilter
    search_fields = ["device__name", "rule__name", "title", "comment"]
    ordering_fields = ["started_at", "resolved_at", "severity", "state"]
    lookup_value_regex = r"\d+"
    read_roles = ALL_ROLES
    action_roles = {"acknowledge": ACTING_ROLES}

    def get_queryset(self):
        # rule, device, acknowledged_by, notifications+channel: every alert on the page shows them.
        qs = Alert.objects.select_related("rule", "device", "acknowledged_by").prefetch_related(
            "notifications__channel"
        )
        return qs.visible_to(self.request.user)

    @extend_schema(request=s.AcknowledgeSerializer, responses=s.AlertSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        alert = self.get_object()
        body = s.AcknowledgeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            alert = acknowledge(alert, request.user, body.validated_data["comment"])
        except NotOpen as exc:
            return Response({"state": [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(s.AlertSerializer(self.get_queryset().get(pk=alert.pk)).data)


class NotificationChannelViewSet(viewsets.ModelViewSet):
    queryset = NotificationChannel.objects.all()
    serializer_class = s.NotificationChannelSerializer
    filterset_fields = ["kind", "enabled"]
    search_fields = ["name"]
    read_roles = ALL_ROLES
    write_roles = ADMIN_ONLY
    action_roles = {"test": ADMIN_ONLY}

    @extend_schema(request=None, responses={200: dict, 502: dict})
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        """Send a sample message through this channel now."""
        error = send_test(self.get_object())
        if error:
            return Response({"sent": False, "error": error}, status=status.HTTP_502_BAD_GATEWAY)
        return Response({"sent": True})


class MaintenanceWindowViewSet(viewsets.ModelViewSet):
    # devices: listed for every window on the page.
    queryset = MaintenanceWindow.objects.prefetch_related("devices")
    serializer_class = s.MaintenanceWindowSerializer
    filterset_fields = ["recurrence"]
    search_fields = ["name", "comment"]
    ordering_fields = ["start", "end", "name"]
    read_roles = ALL_ROLES
    write_roles = STAFF_ROLES
