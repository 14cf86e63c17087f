"""/api/v1/health: each enabled Zabbix server — reachable, version, age of the last sync."""

from django.utils import timezone

from wardflux.health import health_check

from .client import ZabbixClient, ZabbixError
from .models import ZabbixServer

HEALTH_TIMEOUT_S = 3  # the health endpoint must answer even when Zabbix hangs


@health_check("zabbix")
def check_zabbix_servers() -> dict:
    servers = {}
    now = timezone.now()
    for server in ZabbixServer.objects.filter(enabled=True):
        client = ZabbixClient(
            server.url, verify_tls=server.verify_tls, timeout=min(server.timeout, HEALTH_TIMEOUT_S)
        )
        entry: dict = {"reachable": True}
        try:
            entry["version"] = client.version  # apiinfo.version: no credentials needed
        except ZabbixError as exc:
            entry = {"reachable": False, "error": str(exc)}
        last = server.last_sync_at
        entry["last_sync_age_s"] = round((now - last).total_seconds()) if last else None
        entry["last_sync_error"] = server.last_sync_error
        servers[server.name] = entry
    return {"ok": all(s["reachable"] for s in servers.values()), "servers": servers}
