"""Fixtures of the fault tests: a migrated database per test, a private Redis, snmpd,
and a Stack of product processes that is always torn down."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.servers.redis import RedisServer, RedisServerError
from tests.servers.snmpd import start_snmpd, stop_snmpd

from .stack import DROPPED_ENV, ROOT, Stack, admin_sql, server_and_name

_copies = itertools.count()


def migrate(database_url: str, var_dir: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV}
    env.update(DATABASE_URL=database_url, WARD_VAR_DIR=var_dir)
    for args in (["migrate", "-v0"], ["createcachetable", "-v0"]):
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
            text=True, timeout=180,
        )  # fmt: skip
        if done.returncode != 0:
            pytest.fail(f"manage.py {args[0]} failed:\n{done.stderr[-3000:]}", pytrace=False)


@pytest.fixture(scope="session")
def e2e_template(tmp_path_factory) -> str:
    """A migrated database that each e2e test copies (name: <DATABASE_URL's>_e2e_tpl)."""
    server, name = server_and_name()
    template = f"{name}_e2e_tpl"
    try:
        admin_sql(server, f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
        admin_sql(server, f'CREATE DATABASE "{template}"')
    except Exception as exc:  # noqa: BLE001 - any failure to reach PostgreSQL is the reason
        pytest.fail(f"PostgreSQL at {server} unusable for e2e tests: {exc}", pytrace=False)
    migrate(f"{server}/{template}", str(tmp_path_factory.mktemp("tpl-var")))
    yield template
    admin_sql(server, f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')


@pytest.fixture
def e2e_db(e2e_template) -> Iterator[str]:
    """A fresh copy of the template for this test; its URL."""
    server, name = server_and_name()
    copy = f"{name}_e2e_{os.getpid()}_{next(_copies)}"
    admin_sql(server, f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
    admin_sql(server, f'CREATE DATABASE "{copy}" TEMPLATE "{e2e_template}"')
    yield f"{server}/{copy}"
    admin_sql(server, f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    try:
        server.start()
    except RedisServerError as exc:
        server.cleanup()
        pytest.fail(f"cannot start a private redis-server: {exc}", pytrace=False)
    yield server
    server.cleanup()


@pytest.fixture(scope="module")
def snmpd():
    try:
        server = start_snmpd()
    except RuntimeError as exc:
        pytest.fail(f"cannot start snmpd: {exc}", pytrace=False)
    yield server
    stop_snmpd(server)


@pytest.fixture
def make_stack(tmp_path, e2e_db, redis_server) -> Iterator:
    """make_stack(**env) -> a Stack on this test's database and private Redis (db 10)."""
    made: list[Stack] = []

    def make(database_url: str | None = None, broker_url: str | None = None, **env) -> Stack:
        workdir = tmp_path / f"stack{len(made)}"
        workdir.mkdir()
        stack = Stack(workdir, database_url or e2e_db, broker_url or redis_server.url(10), **env)
        made.append(stack)
        return stack

    yield make
    for stack in made:
        print(stack.logs())  # shown when the test failed
        stack.close()


from tests.servers.netns import netns_lab  # noqa: E402, F401 - the fixture, for test modules
