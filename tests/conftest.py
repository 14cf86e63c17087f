"""Shared fixtures: one user per role and API clients logged in as each."""

import pytest
from django.contrib.auth.models import Group, User
from rest_framework.test import APIClient

ROLES = ["admin", "manager", "technician", "viewer"]


@pytest.fixture
def users(db) -> dict[str, User]:
    made = {}
    for role in ROLES:
        user = User.objects.create_user(f"{role}-user", password="correct horse 42", is_staff=True)
        user.groups.add(Group.objects.get(name=role))
        made[role] = user
    return made


@pytest.fixture
def api(users):
    """api(role) -> an APIClient authenticated as that role's user (None: anonymous)."""

    def client_for(role: str | None) -> APIClient:
        client = APIClient()
        if role is not None:
            client.force_authenticate(users[role])
        return client

    return client_for


@pytest.fixture(autouse=True)
def fresh_metric_series_ids():
    """The SQL metrics store caches series ids per process; a test's rolled-back transaction
    takes the rows with it, and a stale id only fails at teardown (deferred foreign key)."""
    from monitoring.metrics.store import _STORES

    for store in _STORES.values():
        getattr(store, "forget_series", lambda: None)()
    yield
