"""Poll one device now and print what came back, item by item."""

import json

from django.core.management.base import BaseCommand, CommandError

from monitoring.models import Device
from monitoring.polling import poll_device, write_samples


class Command(BaseCommand):
    help = "Poll a device now (all enabled items): OID, raw value, computed value, timing."

    def add_arguments(self, parser) -> None:
        parser.add_argument("name", help="device name")
        parser.add_argument("--raw", action="store_true", help="print whole raw columns")
        parser.add_argument("--no-write", action="store_true", help="do not write samples")

    def handle(self, name: str, raw: bool, no_write: bool, **options) -> None:
        device = Device.objects.filter(name=name).first()
        if device is None:
            raise CommandError(f"no device named {name!r}")
        result = poll_device(device.pk, force=True)
        status = "ok" if result.ok else f"FAILED: {result.error}"
        self.stdout.write(
            f"{device.name} {device.ip_address}: {status} in {result.duration_s:.3f}s"
        )
        if result.ok and result.error:
            self.stdout.write(f"  partly: {result.error}")
        for item in result.items:
            shown = item["raw"]
            if isinstance(shown, dict) and not raw:
                shown = f"{len(shown)} rows (--raw to print)"
            self.stdout.write(
                f"  {item['key']:<28} {item['oid']:<32} {item['elapsed_ms']:>8.1f} ms  "
                f"raw={_text(shown)}  computed={_text(item['computed'])}"
            )
        self.stdout.write(f"samples ({len(result.samples)}):")
        for s in result.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in s.labels.items())
            self.stdout.write(f"  {s.name}{{{labels}}} {s.value:g}")
        if not no_write and result.samples:
            self.stdout.write(f"written: {write_samples(result.samples)}")


def _text(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)
