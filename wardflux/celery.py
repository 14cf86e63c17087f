"""The Celery app: tasks are discovered in every app's tasks.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wardflux.settings")

app = Celery("wardflux")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# ICMP tasks live in monitoring/icmp/tasks.py (not an app's top-level tasks.py).
app.autodiscover_tasks(["monitoring.icmp"], related_name="tasks")
