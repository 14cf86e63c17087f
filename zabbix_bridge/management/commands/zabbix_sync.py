"""python manage.py zabbix_sync [--server NAME]: sync now, with a progress bar and a summary."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from zabbix_bridge.models import ZabbixServer
from zabbix_bridge.service import run_sync


class Command(BaseCommand):
    help = "Sync hosts, items and history from Zabbix servers now."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--server", help="the server's name (default: every enabled one)")

    def handle(self, *args, server=None, verbosity=1, **options) -> None:
        servers = ZabbixServer.objects.filter(enabled=True)
        if server:
            servers = ZabbixServer.objects.filter(name=server)
            if not servers.exists():
                raise CommandError(f"no Zabbix server named {server!r}")
        rows, failed = [], []
        for zs in servers:
            with tqdm(
                desc=f"{zs.name}: history values",
                unit=" values",
                file=self.stderr,
                disable=verbosity == 0,
            ) as bar:
                summary = run_sync(zs, progress=bar)
            rows.append((zs.name, summary))
            if summary.get("error"):
                failed.append(f"{zs.name}: {summary['error']}")
        self.stdout.write(summary_table(rows))
        if failed:
            raise CommandError("; ".join(failed))


def summary_table(rows: list[tuple[str, dict]]) -> str:
    head = ["server", "hosts +/~/=/-", "items +/~/=/-", "values", "seconds", "outcome"]
    lines = [head]
    for name, s in rows:
        h, i = s.get("hosts", {}), s.get("items", {})
        lines.append(
            [
                name,
                "/".join(
                    str(h.get(k, "-")) for k in ("created", "updated", "unchanged", "removed")
                ),
                "/".join(
                    str(i.get(k, "-")) for k in ("created", "updated", "unchanged", "deleted")
                ),
                str(s.get("history", {}).get("values", "-")),
                str(s.get("duration_s", "-")),
                s.get("error") or "ok",
            ]
        )
    widths = [max(len(r[c]) for r in lines) for c in range(len(head))]
    return (
        "\n".join(
            "  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in lines
        )
        + "\n"
    )
