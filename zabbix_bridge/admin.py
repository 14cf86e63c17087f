from django.contrib import admin, messages

from wardflux.admin_forms import SecretsForm

from .client import ZabbixError
from .models import ZabbixServer
from .service import run_sync, test_connection


class ZabbixServerForm(SecretsForm):
    secret_fields = ("api_token", "username", "password")

    class Meta:
        model = ZabbixServer
        fields = [
            "name",
            "url",
            "api_token",
            "username",
            "password",
            "verify_tls",
            "timeout",
            "sync_interval",
            "enabled",
        ]


@admin.register(ZabbixServer)
class ZabbixServerAdmin(admin.ModelAdmin):
    form = ZabbixServerForm
    list_display = ["name", "url", "enabled", "version", "last_sync_at", "last_sync_error"]
    list_filter = ["enabled"]
    search_fields = ["name", "url"]
    readonly_fields = ["version", "last_sync_at", "last_sync_error", "last_sync_summary"]
    actions = ["test_selected", "sync_selected"]

    @admin.action(description="Test the connection")
    def test_selected(self, request, queryset):
        for server in queryset:
            try:
                version = test_connection(server)
                messages.success(request, f"{server.name}: Zabbix API {version}")
            except ZabbixError as exc:
                messages.error(request, f"{server.name}: {exc}")

    @admin.action(description="Sync now")
    def sync_selected(self, request, queryset):
        for server in queryset:
            summary = run_sync(server)
            if summary.get("error"):
                messages.error(request, f"{server.name}: {summary['error']}")
            else:
                messages.success(request, f"{server.name}: {summary}")
