"""`make demo`: the whole product on the embedded default, in one command.

Migrates, makes the admin user (printing its password once, or taking
WARDFLUX_ADMIN_PASSWORD), starts the demo network (snmpsim agents on loopback) and seeds
it as devices with alert rules, starts a Celery worker and beat as child processes, takes
one device down and up again on a bounded cycle so an alert fires and resolves, and serves
the admin and the API until Ctrl-C, which stops everything it started.
"""

import os
import secrets
import signal
import threading

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from monitoring.simnet.demonet import DEFAULT_PORT, DEFAULT_PREFIX, FLAPPER, DemoNetwork, Flapper
from wardflux.demo.processes import Children, celery_commands, serve, stop_leftovers
from wardflux.demo.seed import seed_network, seed_rules, speed_up_conditions

FLAPPER_JOIN_S = 35.0  # an agent start waits up to 30 s for its first answer
WATCH_EVERY_S = 5.0
MAX_RESTARTS = 10  # a child that keeps dying is reported, not restarted for ever


class Command(BaseCommand):
    help = "Run WARD FLUX with a simulated network, a worker and beat (Ctrl-C stops all)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument("--stop", action="store_true", help="stop what an earlier demo left")
        parser.add_argument("--no-workers", action="store_true")
        parser.add_argument("--no-network", action="store_true", help="no simulated devices")
        parser.add_argument("--net", default=DEFAULT_PREFIX, help="loopback /24, e.g. 127.77.0")
        parser.add_argument("--snmp-port", type=int, default=DEFAULT_PORT)
        parser.add_argument("--interval", type=int, default=20, help="item interval, seconds")
        # An outage of 3 intervals: two failed polls make the device SNMP-unreachable, and it
        # stays so for at least one condition evaluation (--evaluate-every).
        parser.add_argument("--flap-after", type=float, default=30, help="first outage, s")
        parser.add_argument("--flap-for", type=float, default=60, help="outage length, s")
        parser.add_argument(
            "--evaluate-every", type=int, default=10, help="alert conditions checked every s"
        )
        parser.add_argument("--flap-every", type=float, default=600, help="between outages, s")
        parser.add_argument("--flap-cycles", type=int, default=3, help="0: never")
        parser.add_argument("--queues", default="celery,poll.default")
        parser.add_argument("--pool", default="threads", choices=["threads", "prefork", "solo"])
        parser.add_argument("--concurrency", type=int, default=4)

    def handle(self, *args, **opts) -> None:
        if opts["stop"]:
            stopped = stop_leftovers(settings.VAR_DIR)
            self.stdout.write(f"demo processes stopped: {stopped}" if stopped else "none left")
            return
        if not 10 <= opts["interval"] <= 86400:
            raise CommandError("--interval: between 10 and 86400 seconds")
        call_command("migrate", verbosity=0)
        password = ensure_admin()
        # SIGTERM (timeout, systemd, kill) stops everything as Ctrl-C does.
        signal.signal(signal.SIGTERM, _interrupt)
        children = Children(settings.VAR_DIR)
        network = flapper = watcher = None
        stopping = threading.Event()
        try:
            if not opts["no_network"]:
                network = self.start_network(opts, children)
            if not opts["no_workers"]:
                self.start_workers(opts, children)
                watcher = threading.Thread(
                    target=self.watch, args=(children, stopping), name="demo-watch", daemon=True
                )
                watcher.start()
            if network and opts["flap_cycles"] > 0:
                flapper = Flapper(
                    network, FLAPPER, opts["flap_after"], opts["flap_for"],
                    opts["flap_every"], opts["flap_cycles"], log=self.stdout.write,
                )  # fmt: skip
                flapper.start()
            self.banner(opts, password, network)
            serve(opts["addr"])
        except KeyboardInterrupt:
            pass
        finally:
            self.stdout.write("demo: stopping")
            stopping.set()
            if watcher:
                watcher.join(WATCH_EVERY_S * 2)  # no restart after this point
            if flapper:
                flapper.stop()
                flapper.join(FLAPPER_JOIN_S)
            children.terminate()
            if network:
                network.stop()
            children.forget()

    def start_network(self, opts: dict, children: Children) -> DemoNetwork:
        network = DemoNetwork(
            settings.VAR_DIR / "demo-net", prefix=opts["net"], port=opts["snmp_port"]
        )
        network.on_change, children.extra = children.record, network.pids
        try:
            network.start()
        except (RuntimeError, ValueError, FileNotFoundError) as exc:
            raise CommandError(f"demo network: {exc}") from exc
        devices = seed_network(network, opts["interval"])
        seed_rules()
        speed_up_conditions(opts["evaluate_every"])
        self.stdout.write(f"demo: {len(devices)} simulated devices on {opts['net']}.x")
        return network

    def start_workers(self, opts: dict, children: Children) -> None:
        commands = celery_commands(
            settings.VAR_DIR / "beat-state", opts["queues"], opts["pool"], opts["concurrency"]
        )
        children.start(commands, settings.VAR_DIR / "demo-logs", cwd=settings.BASE_DIR)

    def watch(self, children: Children, stopping: threading.Event) -> None:
        """Restart a worker or beat that died (its log says why), within MAX_RESTARTS."""
        while not stopping.wait(WATCH_EVERY_S):
            for label in children.revive(MAX_RESTARTS):
                self.stderr.write(f"demo: {label} had died; restarted (see its log)")
            if children.restarts >= MAX_RESTARTS and children.dead():
                self.stderr.write(f"demo: {', '.join(children.dead())} keep dying; not restarted")
                return

    def banner(self, opts: dict, password: str | None, network: DemoNetwork | None) -> None:
        addr = opts["addr"]
        w = self.stdout.write
        w(self.style.SUCCESS(f"\nWARD FLUX is at http://{addr}/admin/"))
        w(f"API docs: http://{addr}/api/docs/   health: http://{addr}/api/v1/health")
        if os.environ.get("WARDFLUX_ADMIN_PASSWORD"):
            w("Login: admin (password from WARDFLUX_ADMIN_PASSWORD)")
        else:
            w(f"Login: admin / {password}" if password else "Login: admin (printed on first run)")
        if network:
            w(
                f"{FLAPPER} goes down {opts['flap_after']:.0f}s from now for "
                f"{opts['flap_for']:.0f}s: watch Alerts in the admin."
            )
        w(f"Worker and beat logs: {settings.VAR_DIR / 'demo-logs'}/   Ctrl-C stops everything.\n")


def ensure_admin() -> str | None:
    """The admin user; its password when it was made or changed now, else None."""
    wanted = os.environ.get("WARDFLUX_ADMIN_PASSWORD")
    user = User.objects.filter(username="admin").first()
    if user is None:
        password = wanted or secrets.token_urlsafe(12)
        user = User.objects.create_superuser("admin", "admin@localhost", password)
        user.groups.add(Group.objects.get(name="admin"))
        return password
    if wanted and not user.check_password(wanted):
        user.set_password(wanted)
        user.save(update_fields=["password"])
        return wanted
    return None  # printed once, when it was made


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt
