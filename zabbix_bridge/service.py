"""What the API, the admin, the command and the task call: test a server, sync it, record it."""

import logging

from django.utils import timezone

from .client import ZabbixClient, ZabbixError
from .models import ZabbixServer
from .sync import SyncFailed, sync_server

log = logging.getLogger(__name__)


def test_connection(server: ZabbixServer) -> str:
    """Log in with the server's credentials; its API version, or our ZabbixError."""
    client = ZabbixClient.for_server(server)  # a fresh session: test what is saved now
    try:
        client.connect()
        version = client.version
    finally:
        client.logout()
    # update(): recording the outcome must not bump `updated` (it keys the client cache).
    ZabbixServer.objects.filter(pk=server.pk).update(version=version)
    server.version = version
    return version


def run_sync(server: ZabbixServer, **kwargs) -> dict:
    """Sync and record the outcome on the server row; the summary (with `error` on failure)."""
    try:
        summary = sync_server(server, **kwargs)
        error = ""
    except SyncFailed as exc:
        log.warning("Zabbix sync of %s failed: %s", server.name, exc)
        summary = {**exc.summary, "error": str(exc), "phase": exc.phase}
        error = str(exc)
    fields = {
        "last_sync_at": timezone.now(),
        "last_sync_error": error,
        "last_sync_summary": summary,
    }
    if summary.get("version"):
        fields["version"] = summary["version"]
    ZabbixServer.objects.filter(pk=server.pk).update(**fields)
    for name, value in fields.items():
        setattr(server, name, value)
    return summary


__all__ = ["ZabbixError", "run_sync", "test_connection"]
