from . import multiproc  # noqa: F401  (before anything imports prometheus_client)
from .celery import app as celery_app

__all__ = ["celery_app"]
