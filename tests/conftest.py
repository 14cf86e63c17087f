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


@pytest.fixture
def superuser_client(client, users):
    """A Django test client logged in as the admin role's user, made superuser: the admin
    site's pages and actions. (pytest-django's own admin_client is another user.)"""
    users["admin"].is_superuser = True
    users["admin"].save()
    client.force_login(users["admin"])
    return client


@pytest.fixture(autouse=True)
def _fresh_series_cache():
    """Each test's transaction is rolled back, so series ids cached by an earlier test vanish."""
    from monitoring.metrics import store

    for backend in store._STORES.values():
        if hasattr(backend, "forget_series"):
            backend.forget_series()
    yield


@pytest.fixture(autouse=True)
def _fresh_alert_snapshot():
    """The alert engine's per-process rules and devices were read from an earlier test's data."""
    from alerts import snapshot

    snapshot.forget()
    yield


def pytest_collection_modifyitems(items):
    """Transactional tests must roll back serialized data: one that flushes without it lets
    post_migrate re-create content types that the next serialized test then inserts again."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        uses_transaction = "transactional_db" in getattr(item, "fixturenames", ()) or (
            marker is not None and marker.kwargs.get("transaction")
        )
        if uses_transaction and not (marker and marker.kwargs.get("serialized_rollback")):
            raise pytest.UsageError(
                f"{item.nodeid}: mark it django_db(transaction=True, serialized_rollback=True)"
            )
