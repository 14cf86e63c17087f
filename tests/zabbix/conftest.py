"""A real Zabbix 6.0 for the whole session (tests/servers/zabbix.py), and an Admin API client."""

import os
from urllib.parse import urlparse

import pytest
from zabbix_utils import ZabbixAPI

from tests.servers.zabbix import ADMIN_PASSWORD, ADMIN_USER, Pg, ZabbixInstance, start_zabbix

BUILTIN_HOSTID = "10084"  # "Zabbix server", made by data.sql


def _pg_and_db() -> tuple[Pg, str]:
    """Zabbix's database sits beside ours: same server, our name + `_zbx` (one per engineer)."""
    url = urlparse(os.environ.get("DATABASE_URL", ""))
    if url.scheme.startswith("postgres"):
        pg = Pg(
            host=url.hostname or "127.0.0.1", port=url.port or 5432, user=url.username or "postgres"
        )
        return pg, f"{url.path.lstrip('/')}_zbx"
    return Pg(), f"wardflux_{os.getuid()}_zbx"


@pytest.fixture(scope="session")
def zabbix() -> ZabbixInstance:
    pg, db = _pg_and_db()
    instance = start_zabbix(db, pg)
    try:
        yield instance
    finally:
        instance.stop()


@pytest.fixture(scope="session")
def zapi(zabbix) -> ZabbixAPI:
    """Admin's API session, for setting up what the tests then read through the bridge."""
    api = ZabbixAPI(url=zabbix.url, user=ADMIN_USER, password=ADMIN_PASSWORD, timeout=10)
    # The built-in host's agent is absent (its availability flips) and its internal items
    # write values: disabled, it holds still, so "a second sync changes nothing" is exact.
    api.host.update(hostid=BUILTIN_HOSTID, status=1)
    yield api
    if zabbix.php is not None:
        api.logout()


@pytest.fixture
def clean_zabbix(zapi):
    """Each test starts with only the built-in 'Zabbix server' host and no extra users."""
    yield
    hosts = zapi.host.get(output=["hostid"])
    doomed = [h["hostid"] for h in hosts if h["hostid"] != BUILTIN_HOSTID]
    if doomed:
        zapi.host.delete(*doomed)
    users = [
        u["userid"]
        for u in zapi.user.get(output=["userid", "username"])
        if u["username"].startswith("wf-")
    ]
    if users:
        zapi.user.delete(*users)


@pytest.fixture
def zserver(db, zabbix, clean_zabbix, settings):
    """A ZabbixServer row for the test Zabbix (Admin's password), zabbix mode, no history lag."""
    from monitoring.choices import ProfileMode
    from monitoring.models import MonitoringProfile
    from zabbix_bridge.client import forget_clients
    from zabbix_bridge.models import ZabbixServer

    settings.ZABBIX_HISTORY_LAG_S = 0
    forget_clients()
    MonitoringProfile.objects.create(name="mirror", mode=ProfileMode.ZABBIX, is_active=True)
    return ZabbixServer.objects.create(
        name="lab", url=zabbix.url, username=ADMIN_USER, password=ADMIN_PASSWORD, timeout=10
    )


@pytest.fixture(autouse=True)
def metrics_store(settings, tmp_path):
    """The real SQL metrics store in the test database, a spool of the test's own."""
    from monitoring.metrics.store import get_store

    settings.METRICS_BACKEND = "sql"
    settings.METRICS_SPOOL_DIR = tmp_path / "spool"
    store = get_store()
    store.forget_series()  # series ids cached by earlier tests were rolled back with them
    return store


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The shared `users` fixture hashes a password per role; PBKDF2 costs ~0.5 s each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
