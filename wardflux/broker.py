"""What health and self-metrics need to know about the Celery broker."""

import time
from pathlib import Path

from django.conf import settings

from .celery import app


def is_filesystem_broker() -> bool:
    return settings.CELERY_BROKER_URL.startswith("filesystem://")


def known_queues() -> list[str]:
    from django_celery_beat.models import PeriodicTask

    queues = set(
        PeriodicTask.objects.exclude(queue=None).exclude(queue="").values_list("queue", flat=True)
    )
    return sorted(queues | {settings.CELERY_TASK_DEFAULT_QUEUE})


def queue_depths() -> dict[str, int]:
    queues = known_queues()
    if is_filesystem_broker():
        folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
        names = [p.name for p in folder.iterdir()] if folder.exists() else []
        # kombu's filesystem transport names each message file "<ts>_<uuid>.<queue>.msg".
        return {q: sum(1 for n in names if n.endswith(f".{q}.msg")) for q in queues}
    with app.connection_for_read() as conn:
        client = conn.channel().client
        return {q: int(client.llen(q)) for q in queues}


def ping_broker(timeout_s: float = 2.0) -> dict:
    started = time.perf_counter()
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=timeout_s)
        transport = conn.transport_cls
    return {
        "ok": True,
        "transport": str(transport),
        "connect_ms": round((time.perf_counter() - started) * 1000, 1),
    }
