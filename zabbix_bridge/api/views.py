"""Zabbix servers: admins write, managers read; test and sync are admin actions."""

from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from wardflux.permissions import ADMIN_ONLY, STAFF_ROLES

from ..client import ZabbixAccountBlocked, ZabbixAuthError, ZabbixError, ZabbixUnreachable
from ..models import ZabbixServer
from ..service import run_sync, test_connection
from .serializers import ZabbixServerSerializer


def error_kind(exc: ZabbixError) -> str:
    if isinstance(exc, ZabbixUnreachable):
        return "unreachable"
    if isinstance(exc, ZabbixAccountBlocked):
        return "account_blocked"
    if isinstance(exc, ZabbixAuthError):
        return "bad_credentials"
    return "api_error"


class ZabbixServerViewSet(viewsets.ModelViewSet):
    queryset = ZabbixServer.objects.all()
    serializer_class = ZabbixServerSerializer
    filterset_fields = ["enabled"]
    search_fields = ["name", "url"]
    ordering_fields = ["name", "last_sync_at"]
    read_roles = STAFF_ROLES
    write_roles = ADMIN_ONLY
    action_roles = {"test": ADMIN_ONLY, "sync": ADMIN_ONLY}

    @extend_schema(request=None, responses={200: dict, 502: dict})
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        server = self.get_object()
        try:
            version = test_connection(server)
        except ZabbixError as exc:
            body = {"ok": False, "error": error_kind(exc), "detail": str(exc)}
            return Response(body, status=status.HTTP_502_BAD_GATEWAY)
        return Response({"ok": True, "version": version})

    @extend_schema(request=None, responses={200: dict, 502: dict})
    @action(detail=True, methods=["post"])
    def sync(self, request, pk=None):
        summary = run_sync(self.get_object())
        code = status.HTTP_502_BAD_GATEWAY if summary.get("error") else status.HTTP_200_OK
        return Response(summary, status=code)
