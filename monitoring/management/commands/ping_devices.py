"""Run one ICMP check now (all enabled devices, or the named ones) and print a table."""

from django.core.management.base import BaseCommand, CommandError

from monitoring.icmp.dispatch import icmp_device_ids
from monitoring.icmp.monitor import CheckRun, check_devices
from monitoring.icmp.sockets import ClearError
from monitoring.models import Device

COLUMNS = ("device", "ip", "status", "min/avg/max ms", "loss %", "jitter ms")


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def format_table(run: CheckRun) -> list[str]:
    rows = [COLUMNS]
    for c in sorted(run.checks, key=lambda c: c.name):
        r = c.result
        rtt = "/".join(_ms(v) for v in (r.min_ms, r.avg_ms, r.max_ms))
        rows.append((c.name, c.ip, c.status, rtt, f"{r.loss_pct:.0f}", _ms(r.jitter_ms)))
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(COLUMNS))]
    return [
        "  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


class Command(BaseCommand):
    help = "Ping devices once now (updates their availability and writes samples)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--device", action="extend", nargs="+", default=[], metavar="NAME",
            help="device name(s); default: every enabled device WARD FLUX pings",
        )  # fmt: skip

    def handle(self, *args, device: list[str], **options) -> None:
        if device:
            found = dict(Device.objects.filter(name__in=device).values_list("name", "pk"))
            missing = sorted(set(device) - found.keys())
            if missing:
                raise CommandError(f"no device named {', '.join(missing)}")
            ids = list(found.values())
        else:
            ids = icmp_device_ids()
        if not ids:
            self.stdout.write("no devices to ping")
            return
        try:
            run = check_devices(ids)
        except ClearError as err:
            raise CommandError(str(err)) from err
        for line in format_table(run):
            self.stdout.write(line)
        summary = run.summary()
        self.stdout.write(
            f"{summary['up']}/{summary['devices']} answering, {summary['transitions']} "
            f"state change(s), {summary['duration_s']:.2f} s"
        )
        if run.write_error:
            self.stderr.write(f"samples not stored: {run.write_error}")
