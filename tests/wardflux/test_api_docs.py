from rest_framework.test import APIClient


def test_the_schema_needs_a_login_but_the_docs_page_does_not(db, users):
    assert APIClient().get("/api/schema/").status_code == 401
    assert APIClient().get("/api/docs/").status_code == 200
    client = APIClient()
    client.force_authenticate(users["viewer"])
    assert client.get("/api/schema/").status_code == 200
