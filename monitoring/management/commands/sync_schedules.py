"""Repair drift between items and django-celery-beat's rows, and say what changed."""

from django.core.management.base import BaseCommand

from monitoring.schedule import sync_all


class Command(BaseCommand):
    help = "Make beat's poll schedules match the devices' items; report created/updated/deleted."

    def handle(self, *args, **options) -> None:
        c = sync_all()
        self.stdout.write(
            f"poll schedules: created {c.created}, updated {c.updated}, "
            f"deleted {c.deleted}, unchanged {c.unchanged}"
        )
