"""`make demo`: the whole product on the embedded default, in one command.

Migrates, makes the admin user (printing its password once, or taking
WARDFLUX_ADMIN_PASSWORD), starts a Celery worker and beat as child processes and
serves the admin and the API on 127.0.0.1:8000 until Ctrl-C, which stops them all.
"""

import os
import secrets
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import BaseCommand

PIDFILE_NAME = "demo.pids"


class Command(BaseCommand):
    help = "Run WARD FLUX with a worker and beat on the embedded default (Ctrl-C stops all)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument("--stop", action="store_true", help="stop what an earlier demo left")
        parser.add_argument("--no-workers", action="store_true")

    def handle(self, *args, addr: str, stop: bool, no_workers: bool, **options) -> None:
        if stop:
            self.stop_children()
            return
        call_command("migrate", verbosity=0)
        password = self.ensure_admin()
        children = [] if no_workers else self.start_children()
        self.stdout.write(self.style.SUCCESS(f"\nWARD FLUX is at http://{addr}/admin/"))
        self.stdout.write(f"API docs: http://{addr}/api/docs/")
        self.stdout.write(f"Login: admin / {password}\n" if password else "Login: admin\n")
        try:
            call_command("runserver", addr, use_reloader=False)
        finally:
            self.terminate(children)

    def ensure_admin(self) -> str | None:
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

    def start_children(self) -> list[subprocess.Popen]:
        celery = [sys.executable, "-m", "celery", "-A", "wardflux"]
        queues = "celery,poll.default"
        cmds = [
            [*celery, "worker", "-Q", queues, "--concurrency", "2", "--loglevel", "INFO"],
            [*celery, "beat", "--loglevel", "INFO", "-s", str(settings.VAR_DIR / "beat-state")],
        ]
        children = [subprocess.Popen(c, start_new_session=True) for c in cmds]
        (settings.VAR_DIR / PIDFILE_NAME).write_text("\n".join(str(c.pid) for c in children))
        return children

    def terminate(self, children: list[subprocess.Popen]) -> None:
        for child in children:
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
        (settings.VAR_DIR / PIDFILE_NAME).unlink(missing_ok=True)

    def stop_children(self) -> None:
        pidfile = settings.VAR_DIR / PIDFILE_NAME
        if not pidfile.exists():
            self.stdout.write("no demo processes recorded")
            return
        for pid in pidfile.read_text().split():
            try:
                os.killpg(int(pid), signal.SIGTERM)
            except ProcessLookupError:
                pass
        pidfile.unlink()
        self.stdout.write("demo processes stopped")
