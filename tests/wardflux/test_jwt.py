import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

PASSWORD = "correct horse 42"


@pytest.fixture(autouse=True)
def fresh_throttle_counts(db):
    cache.clear()
    yield
    cache.clear()


def obtain(client: APIClient, username: str, password: str = PASSWORD):
    return client.post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )


def test_it_obtains_a_pair_whose_access_token_authenticates(users):
    pair = obtain(APIClient(), "viewer-user")
    assert pair.status_code == 200, pair.content
    assert set(pair.json()) == {"access", "refresh"}
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair.json()['access']}")
    me = client.get("/api/v1/me/")
    assert me.status_code == 200 and me.json()["role"] == "viewer"


def test_verify_accepts_a_good_token_and_refuses_a_forged_one(users):
    access = obtain(APIClient(), "viewer-user").json()["access"]
    client = APIClient()
    assert client.post("/api/v1/auth/token/verify/", {"token": access}).status_code == 200
    forged = access[:-4] + ("AAAA" if not access.endswith("AAAA") else "BBBB")
    assert client.post("/api/v1/auth/token/verify/", {"token": forged}).status_code == 401


def test_refresh_rotates_and_the_old_refresh_token_is_blacklisted(users):
    client = APIClient()
    old = obtain(client, "manager-user").json()["refresh"]
    rotated = client.post("/api/v1/auth/token/refresh/", {"refresh": old})
    assert rotated.status_code == 200, rotated.content
    assert rotated.json()["refresh"] != old and rotated.json()["access"]
    again = client.post("/api/v1/auth/token/refresh/", {"refresh": old})
    assert again.status_code == 401
    fresh = client.post("/api/v1/auth/token/refresh/", {"refresh": rotated.json()["refresh"]})
    assert fresh.status_code == 200


def test_a_wrong_password_is_401(users):
    assert obtain(APIClient(), "admin-user", "wrong").status_code == 401


def test_repeated_failed_logins_get_429(users, settings):
    client, statuses = APIClient(), []
    for _ in range(15):  # the default rate is 10/min per client address
        statuses.append(obtain(client, "admin-user", "guess").status_code)
    assert statuses[:10] == [401] * 10
    assert set(statuses[10:]) == {429}
    # Even the right password waits now: the limit is on attempts, not on failures.
    blocked = obtain(client, "admin-user")
    assert blocked.status_code == 429 and "Retry-After" in blocked.headers
