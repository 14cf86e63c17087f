"""python manage.py discover CIDR... [--exclude CIDR] [--credential NAME] [--add]

Runs a discovery job in this process (no worker needed), with a progress bar and a
summary table of what answered.
"""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from discovery.adding import add_results
from discovery.choices import AutoAdd, JobState
from discovery.jobs import create_job, run_job
from discovery.scanner import RangeError
from monitoring.models import SNMPCredential


class Command(BaseCommand):
    help = "Sweep CIDRs, probe what answers over SNMP, classify it; --add to monitor it."

    def add_arguments(self, parser) -> None:
        parser.add_argument("ranges", nargs="+", metavar="CIDR")
        parser.add_argument("--exclude", action="append", default=[], metavar="CIDR")
        parser.add_argument(
            "--credential", action="append", default=[], metavar="NAME",
            help="SNMP credential name; repeat to try several in order",
        )  # fmt: skip
        parser.add_argument("--add", action="store_true", help="add new hosts to monitoring")
        parser.add_argument("--no-template", action="store_true", help="with --add: no template")
        parser.add_argument("--site", default="")
        parser.add_argument("--poller-group", default="default")

    def handle(self, *args, **options) -> None:
        credentials = []
        for name in options["credential"]:
            credential = SNMPCredential.objects.filter(name=name).first()
            if credential is None:
                raise CommandError(f"--credential: no SNMP credential named {name!r}")
            credentials.append(credential.pk)
        try:
            job = create_job(
                options["ranges"],
                options["exclude"],
                credentials,
                auto_add=AutoAdd.OFF,
                site=options["site"],
                poller_group=options["poller_group"],
            )
        except RangeError as err:
            raise CommandError(f"{err.field}: {err.message}") from err
        bar = tqdm(total=job.total, unit="addr", desc=f"job {job.pk}", disable=None)

        def show(progress: dict[str, int]) -> None:
            bar.update(progress["swept"] - bar.n)
            bar.set_postfix(alive=progress["alive"], classified=progress["classified"])

        job = run_job(job.pk, on_progress=show)
        bar.close()
        if job.state != JobState.DONE:
            raise CommandError(f"job {job.pk} {job.state}: {job.error}")
        results = list(job.results.select_related("job", "device"))
        self._table(results)
        self.stdout.write(f"{job.total} swept, {job.alive} alive, {sum(r.snmp for r in results)} "
                          "answered SNMP")  # fmt: skip
        if options["add"]:
            report = add_results(results, apply_templates=not options["no_template"])
            self.stdout.write(
                f"added {len(report.added)}, already monitored {len(report.already_monitored)}"
            )

    def _table(self, results) -> None:
        header = ("IP", "NAME", "VENDOR", "TYPE", "TEMPLATE", "RTT ms", "MONITORED")
        rows = [
            (
                r.ip_address,
                r.sys_name or r.dns_name,
                r.vendor,
                r.device_type,
                r.template,
                f"{r.rtt_ms:.2f}" if r.rtt_ms is not None else "",
                r.device.name if r.device else "",
            )
            for r in results
        ]
        widths = [max([len(h), *(len(str(row[i])) for row in rows)]) for i, h in enumerate(header)]
        for row in (header, *rows):
            self.stdout.write("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
