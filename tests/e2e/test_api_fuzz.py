"""The API fuzzed from its own OpenAPI schema (schemathesis, through the WSGI app), as an
admin and as a viewer, with JWT bearer tokens: no answer is a 5xx, and every 4xx body is
a JSON object that names what was wrong (a field or ``detail``).

Bounded: EXAMPLES per operation and mode (valid and invalid inputs), no shrinking, a fixed
seed (derandomized) so a run is reproducible. Operations that would send packets or
messages to addresses the fuzzer makes up (diagnostics, SNMP tests and polls, discovery
scans, Zabbix calls, notification tests) are left out: traffic leaves only for loopback
here. Task publishing is replaced by a recorder for the same reason (a notification task
would deliver to a fuzzed webhook); that is the only stand-in.
"""

from __future__ import annotations

import json
import logging
import time

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework_simplejwt.tokens import AccessToken
from schemathesis.generation import GenerationMode

from wardflux.celery import app as celery_app

EXAMPLES = 10
# Operations that reach out to made-up addresses (see the module docstring).
REACHES_OUT = {
    ("POST", "/api/v1/alerts/channels/{id}/test/"),
    ("POST", "/api/v1/credentials/test/"),
    ("POST", "/api/v1/credentials/{id}/test/"),
    ("POST", "/api/v1/devices/{id}/poll/"),
    ("POST", "/api/v1/diagnostics/mtr/"),
    ("POST", "/api/v1/diagnostics/ping/"),
    ("POST", "/api/v1/diagnostics/traceroute/"),
    ("POST", "/api/v1/discovery/rules/{id}/run/"),
    ("POST", "/api/v1/monitoring/discovery/scan"),
    ("POST", "/api/v1/monitoring/discovery/scan/"),
    ("POST", "/api/v1/zabbix/servers/{id}/sync/"),
    ("POST", "/api/v1/zabbix/servers/{id}/test/"),
}


HEALTH = "/api/v1/health"


def no_server_error(ctx, response, case) -> None:
    """No 5xx, but for health's documented 503 (a worker or beat is down in this test)."""
    if response.status_code >= 500 and not (case.path == HEALTH and response.status_code == 503):
        raise AssertionError(f"server error {response.status_code}: {response.content[:300]!r}")


def names_what_was_wrong(ctx, response, case) -> None:
    """A 4xx answer is a JSON object with at least one non-empty entry (a field, detail)."""
    if not 400 <= response.status_code < 500:
        return
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        raise AssertionError(
            f"{response.status_code} without a JSON body: {response.content[:200]!r}"
        ) from None
    if not isinstance(body, dict) or not body or not any(body.values()):
        raise AssertionError(f"{response.status_code} body names nothing: {body!r}")


@pytest.fixture(scope="module")
def api_schema(django_db_blocker):
    with django_db_blocker.unblock():
        raw = SchemaGenerator().get_schema(request=None, public=True)
    return schemathesis.openapi.from_dict(json.loads(json.dumps(raw, default=str)))


@pytest.fixture
def keep_test_connection():
    """As Django's test client does: requests must not close the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def quiet_request_log():
    """Thousands of 4xx answers: log only the 5xx ones."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.fixture
def no_task_publishing(monkeypatch) -> list[str]:
    sent: list[str] = []

    def record(name, *args, **kwargs):
        sent.append(name)

    monkeypatch.setattr(celery_app, "send_task", record)
    return sent


@pytest.mark.e2e
@pytest.mark.timeout(240)
@pytest.mark.parametrize("role", ["admin", "viewer"])
def test_fuzzed_api_never_answers_5xx_and_every_4xx_names_the_problem(
    role, api_schema, users, no_task_publishing, keep_test_connection, quiet_request_log
):
    wsgi = WSGIHandler()  # get_wsgi_application() would set logging up again
    headers = {"Authorization": f"Bearer {AccessToken.for_user(users[role])}"}
    failures: dict[str, str] = {}
    started = time.monotonic()
    operations = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in REACHES_OUT:
            continue
        operations += 1
        strategy = st.one_of(
            operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
            operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        )

        @settings(
            max_examples=EXAMPLES * 2, deadline=None, derandomize=True, database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )  # fmt: skip
        @given(case=strategy)
        def fuzz(case) -> None:
            case.call_and_validate(
                app=wsgi, headers=headers, checks=[no_server_error, names_what_was_wrong]
            )

        try:
            fuzz()
        except (Exception, BaseExceptionGroup) as exc:  # gather every operation's failure
            failures[f"{operation.method.upper()} {operation.path}"] = str(exc)[:1500]
    took_s = time.monotonic() - started
    print(f"{role}: {operations} operations fuzzed in {took_s:.0f}s")
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())
