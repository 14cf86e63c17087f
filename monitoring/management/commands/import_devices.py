"""Import devices from a CSV, JSON or YAML file (by extension), all or nothing."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from monitoring.inventory_io import InventoryError, import_devices, read_rows
from monitoring.models import MonitoringTemplate

MAX_ERRORS_SHOWN = 50


class Command(BaseCommand):
    help = (
        "Create or update devices (matched by name) from FILE (.csv, .json, .yaml). "
        "One invalid row writes nothing unless --skip-invalid."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="validate and count only")
        parser.add_argument("--skip-invalid", action="store_true", help="import the valid rows")
        parser.add_argument("--template", metavar="NAME", help="apply this template to each")
        parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    def handle(self, *args, file: str, dry_run: bool, skip_invalid: bool, **options) -> None:
        template = None
        if options["template"]:
            template = MonitoringTemplate.objects.filter(name=options["template"]).first()
            if template is None:
                raise CommandError(f"no template named {options['template']!r}")
        try:
            rows = read_rows(file)
        except InventoryError as exc:
            raise CommandError(str(exc)) from exc

        def progress(items):
            # tqdm hides itself when stderr is not a terminal (disable=None).
            disable = True if options["no_progress"] or options["verbosity"] == 0 else None
            return tqdm(items, total=len(rows), unit="row", file=self.stderr, disable=disable)

        result = import_devices(
            rows, dry_run=dry_run, skip_invalid=skip_invalid, template=template, progress=progress
        )
        for error in result.errors[:MAX_ERRORS_SHOWN]:
            self.stderr.write(str(error))
        if len(result.errors) > MAX_ERRORS_SHOWN:
            self.stderr.write(f"... and {len(result.errors) - MAX_ERRORS_SHOWN} more errors")
        if result.errors and not skip_invalid:
            raise CommandError(
                f"{result.invalid_rows} invalid row(s) in {file}, nothing written "
                f"(first: {result.errors[0]})"
            )
        verb = "would import" if dry_run else "imported"
        summary = f"{verb} {result.created + result.updated} devices ({result.created} new, "
        summary += f"{result.updated} updated), skipped {result.invalid_rows} invalid row(s)"
        if result.template_counts is not None:
            c = result.template_counts
            summary += f"; {template.name}: {c['created']} items created, {c['updated']} updated"
        self.stdout.write(summary)
