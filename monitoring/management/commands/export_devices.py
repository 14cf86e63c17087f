"""Export devices in the format import_devices reads back (round trip)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from monitoring.inventory_io import FORMATS, InventoryError, export_devices, format_for
from monitoring.models import Device


class Command(BaseCommand):
    help = "Write every device as CSV, JSON or YAML, to stdout or --output FILE."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--format", choices=FORMATS, help="default: from --output, else csv")
        parser.add_argument("--output", metavar="FILE")

    def handle(self, *args, **options) -> None:
        output = options["output"]
        try:
            fmt = options["format"] or (format_for(output) if output else "csv")
        except InventoryError as exc:
            raise CommandError(f"{exc} (or give --format)") from exc
        text = export_devices(fmt)
        if not output:
            self.stdout.write(text, ending="")
            return
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot write {output}: {exc}") from exc
        self.stdout.write(f"wrote {Device.objects.count()} devices to {output} ({fmt})")
