"""Metrics fixtures: a real VictoriaMetrics for the session, and `backend`, which runs
a test once on the SQL store (the project database) and once on VictoriaMetrics."""

import uuid

import pytest

from monitoring.metrics.store import get_store
from tests.servers.victoria import VictoriaServer

from .private_db import metrics_db, private_metrics_db  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The shared `users` fixture hashes four passwords per test; PBKDF2 costs ~0.5 s each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def victoria():
    server = VictoriaServer()
    server.start()  # raises with the reason when it cannot: the tests fail, never skip
    yield server
    server.cleanup()


class Backend:
    def __init__(self, name: str, server: VictoriaServer | None):
        self.name = name
        self.server = server

    @property
    def store(self):
        return get_store()

    def settle(self) -> None:
        """Make what was just written readable (VictoriaMetrics buffers up to ~1 s)."""
        if self.server is not None:
            self.server.flush()


@pytest.fixture(params=["sql", "victoriametrics"])
def backend(request, db, settings, tmp_path, victoria):
    settings.METRICS_SPOOL_DIR = tmp_path / "spool"
    settings.METRICS_BACKEND = request.param
    settings.VICTORIA_URL = victoria.url
    store = get_store()
    if request.param == "sql":
        store.forget_series()  # ids cached by earlier tests were rolled back with them
    return Backend(request.param, victoria if request.param == "victoriametrics" else None)


@pytest.fixture
def metric() -> str:
    """A metric name no other test uses (VictoriaMetrics keeps data across tests)."""
    return f"t_{uuid.uuid4().hex[:12]}_rtt_ms"
