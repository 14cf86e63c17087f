from celery import shared_task

from monitoring.choices import ProfileMode

from .models import ZabbixServer
from .modes import current_mode
from .service import run_sync


@shared_task(ignore_result=True)
def sync_zabbix_server(server_id: int) -> None:
    """Beat's periodic sync; does nothing for a disabled server or in standalone mode."""
    server = ZabbixServer.objects.filter(pk=server_id, enabled=True).first()
    if server is None or current_mode() == ProfileMode.STANDALONE:
        return
    run_sync(server)
