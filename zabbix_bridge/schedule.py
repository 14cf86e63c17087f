"""One beat task per Zabbix server (`zabbix-sync:<id>`), kept in step with the server row."""

from django_celery_beat.models import IntervalSchedule, PeriodicTask

from monitoring.choices import ProfileMode

from .models import ZabbixServer
from .modes import current_mode

TASK = "zabbix_bridge.tasks.sync_zabbix_server"


def task_name(server_id: int) -> str:
    return f"zabbix-sync:{server_id}"


def ensure_sync_task(server: ZabbixServer) -> PeriodicTask:
    """Create or update the server's task; write only when something changed."""
    every, _ = IntervalSchedule.objects.get_or_create(
        every=server.sync_interval, period=IntervalSchedule.SECONDS
    )
    enabled = server.enabled and current_mode() != ProfileMode.STANDALONE
    wanted = {
        "task": TASK,
        "interval": every,
        "kwargs": f'{{"server_id": {server.pk}}}',
        "enabled": enabled,
    }
    task = PeriodicTask.objects.filter(name=task_name(server.pk)).first()
    if task is None:
        return PeriodicTask.objects.create(name=task_name(server.pk), **wanted)
    changed = [n for n, v in wanted.items() if getattr(task, n) != v]
    if changed:
        for n in changed:
            setattr(task, n, wanted[n])
        task.save()
    return task


def remove_sync_task(server_id: int) -> None:
    PeriodicTask.objects.filter(name=task_name(server_id)).delete()
