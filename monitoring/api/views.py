"""Monitoring API: thin viewsets; each declares the roles that may read and write."""

from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from wardflux.permissions import ACTING_ROLES, ALL_ROLES, STAFF_ROLES

from ..credential_check import check_credential
from ..models import (
    Device,
    MonitoringItem,
    MonitoringProfile,
    MonitoringTemplate,
    SNMPCredential,
)
from ..polling import poll_device, write_samples
from ..templates import apply_template
from . import serializers as s
from .filters import DeviceFilter, MonitoringItemFilter


class DeviceViewSet(viewsets.ModelViewSet):
    serializer_class = s.DeviceSerializer
    filterset_class = DeviceFilter
    search_fields = ["name", "ip_address", "hostname", "sys_name", "site", "vendor", "model"]
    ordering_fields = ["name", "ip_address", "site", "status", "last_polled", "device_type"]
    read_roles = ALL_ROLES
    write_roles = STAFF_ROLES
    # Technicians poll only their own devices: get_queryset hides the others (404).
    action_roles = {"poll": ACTING_ROLES}

    def get_queryset(self):
        return Device.objects.visible_to(self.request.user)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            # tags and assigned_to: the serializer lists both for every device on the page.
            s.attach_relations(page)
        return page

    @extend_schema(request=None, responses={200: dict})
    @action(detail=True, methods=["post"])
    def poll(self, request, pk=None):
        """Poll the device now (every enabled item) and return what came back."""
        device = self.get_object()
        result = poll_device(device.pk, force=True)
        write_samples(result.samples)
        return Response(result.as_dict(), status=status.HTTP_200_OK)


class SNMPCredentialViewSet(viewsets.ModelViewSet):
    queryset = SNMPCredential.objects.all()
    serializer_class = s.SNMPCredentialSerializer
    filterset_fields = ["version", "security_level"]
    search_fields = ["name", "username"]
    ordering_fields = ["name", "version"]
    read_roles = ALL_ROLES
    write_roles = frozenset({"admin"})
    action_roles = {"test": STAFF_ROLES, "test_unsaved": STAFF_ROLES}

    @extend_schema(request=s.CredentialTestSerializer, responses={200: dict})
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        """Try this credential against an address: sysDescr and sysName, or why not."""
        credential = self.get_object()
        body = s.CredentialTestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(check_credential(credential, body.validated_data["address"]))

    @extend_schema(
        operation_id="v1_credentials_test_unsaved",
        request=s.UnsavedCredentialTestSerializer,
        responses={200: dict},
    )
    @action(detail=False, methods=["post"], url_path="test", url_name="test-unsaved")
    def test_unsaved(self, request):
        """Try a credential before it is saved: the fields of a create plus the address.
        Nothing is written; the answer is the same as the saved credential's test."""
        body = s.UnsavedCredentialTestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(check_credential(*body.unsaved()))


class MonitoringTemplateViewSet(viewsets.ModelViewSet):
    # items: nested in every template of the page.
    queryset = MonitoringTemplate.objects.prefetch_related("items")
    serializer_class = s.MonitoringTemplateSerializer
    search_fields = ["name", "description"]
    ordering_fields = ["name"]
    read_roles = ALL_ROLES
    write_roles = STAFF_ROLES

    @extend_schema(request=s.ApplyTemplateSerializer, responses={200: dict})
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        template = self.get_object()
        body = s.ApplyTemplateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        counts = apply_template(template, body.validated_data["devices"])
        return Response(counts, status=status.HTTP_200_OK)


class MonitoringItemViewSet(viewsets.ModelViewSet):
    serializer_class = s.MonitoringItemSerializer
    filterset_class = MonitoringItemFilter
    search_fields = ["name", "key", "oid"]
    ordering_fields = ["device", "key", "interval"]
    read_roles = ALL_ROLES
    write_roles = STAFF_ROLES

    def get_queryset(self):
        visible = Device.objects.visible_to(self.request.user)
        return MonitoringItem.objects.filter(device__in=visible)


class MonitoringProfileViewSet(viewsets.ModelViewSet):
    queryset = MonitoringProfile.objects.all()
    serializer_class = s.MonitoringProfileSerializer
    filterset_fields = ["mode", "is_active"]
    read_roles = ALL_ROLES
    write_roles = frozenset({"admin"})
