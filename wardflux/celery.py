"""The Celery app: tasks are discovered in every app's tasks.py."""

import os
import time

from celery import Celery
from celery.signals import before_task_publish

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wardflux.settings")

app = Celery("wardflux")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@before_task_publish.connect
def stamp_heartbeat(sender: str | None = None, headers: dict | None = None, **kwargs) -> None:
    """Stamp the heartbeat message with the time beat sent it.

    The worker that runs it records both times (wardflux.tasks.heartbeat), so health
    learns that beat ticks without beat writing to the database itself.
    """
    if sender == "wardflux.tasks.heartbeat" and headers is not None:
        headers["wardflux_sent_at"] = time.time()


# ICMP tasks live in monitoring/icmp/tasks.py (not an app's top-level tasks.py).
app.autodiscover_tasks(["monitoring.icmp"], related_name="tasks")

# filesystem:// (the embedded default) with atomic message writes: see wardflux/fsbroker.py.
from .fsbroker import register as _register_fsbroker  # noqa: E402

_register_fsbroker()
