"""Every console page for every role: who gets in, who may act, who sees which devices."""

import pytest

from alerts.models import Alert

ROLES = ["admin", "manager", "technician", "viewer"]
READ_PAGES = ["/", "/problems/", "/reports/"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", [*READ_PAGES, "/diagnostics/", "/devices/1/", "/reports/sites.csv"]
)
def test_it_sends_anonymous_users_to_the_login_page(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", READ_PAGES)
def test_it_shows_read_pages_to_every_role(net, browser_for, role, path):
    response = browser_for(role).get(path)
    assert response.status_code == 200
    assert b"WARD" in response.content


def test_it_shows_a_user_without_a_role_403(net, django_user_model, client):
    nobody = django_user_model.objects.create_user("nobody", password="x-long-password-1")
    client.force_login(nobody)
    assert client.get("/").status_code == 403


def test_login_page_logs_in_with_the_api_users(net, client):
    page = client.get("/login/")
    assert page.status_code == 200
    response = client.post("/login/", {"username": "viewer-user", "password": "correct horse 42"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_board_shows_why_a_device_is_down_and_maintenance(net, browser_for):
    html = browser_for("admin").get("/").content.decode()
    assert "hq-sw1" in html and "Device down" in html
    assert f'data-device="{net["devices"]["sw1"].pk}" data-state="down"' in html
    assert 'data-state="maintenance"' in html  # lab-srv is in a window
    assert 'data-state="unreachable"' in html
    # down devices come before up ones within a site
    assert html.index("hq-sw1") < html.index("core-rtr")


def test_board_filters_by_state_and_search(net, browser_for):
    client = browser_for("admin")
    html = client.get("/", {"state": "down"}).content.decode()
    assert "hq-sw1" in html and "branch-rtr" not in html
    html = client.get("/", {"q": "branch"}, HTTP_HX_REQUEST="true").content.decode()
    assert "branch-rtr" in html and "hq-sw1" not in html
    body = client.get("/", {"part": "body"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in body and "tiles" in body


def test_technician_board_shows_only_their_devices(net, browser_for):
    html = browser_for("technician").get("/").content.decode()
    assert "branch-rtr" in html
    assert "hq-sw1" not in html and "core-rtr" not in html


@pytest.mark.parametrize("role", ROLES)
def test_device_page_for_each_role(net, browser_for, role):
    mine = net["devices"]["br"]
    other = net["devices"]["sw1"]
    client = browser_for(role)
    assert client.get(f"/devices/{mine.pk}/").status_code == 200
    expected = 404 if role == "technician" else 200
    assert client.get(f"/devices/{other.pk}/").status_code == expected


def test_device_page_shows_identity_history_alerts_and_interfaces(net, browser_for):
    sw1 = net["devices"]["sw1"]
    html = browser_for("admin").get(f"/devices/{sw1.pk}/").content.decode()
    assert "3 of 3 pings lost" in html and "Device down" in html
    core = net["devices"]["core"]
    html = browser_for("admin").get(f"/devices/{core.pk}/").content.decode()
    assert "Cisco IOS XE" in html and "Gi0/1" in html and 'data-metrics="ping_rtt_ms"' in html


def test_problems_page_lists_open_by_severity_and_recoveries(net, browser_for):
    html = browser_for("admin").get("/problems/").content.decode()
    assert html.index("Device down") < html.index("CPU high")  # high before warning
    assert "Recovered in the last" in html and "core-rtr" in html
    assert "Acknowledge" in html


def test_viewer_sees_problems_but_cannot_acknowledge(net, browser_for):
    client = browser_for("viewer")
    assert b"Acknowledge</button>" not in client.get("/problems/").content
    alert = net["alerts"]["down"]
    response = client.post(f"/problems/{alert.pk}/ack/", {"comment": "mine"})
    assert response.status_code == 403
    assert not Alert.objects.get(pk=alert.pk).acknowledged


@pytest.mark.parametrize("role", ["admin", "manager"])
def test_staff_acknowledge_with_a_comment(net, browser_for, role):
    alert = net["alerts"]["down"]
    response = browser_for(role).post(
        f"/problems/{alert.pk}/ack/", {"comment": "on site, swapping PSU"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert b"swapping PSU" in response.content and b"<html" not in response.content
    alert.refresh_from_db()
    assert alert.acknowledged and alert.comment == "on site, swapping PSU"
    assert alert.acknowledged_by.username == f"{role}-user"


def test_technician_acknowledges_own_and_gets_404_on_others(net, browser_for):
    client = browser_for("technician")
    html = client.get("/problems/").content.decode()
    assert "branch-rtr" in html and "hq-sw1" not in html
    assert (
        client.post(f"/problems/{net['alerts']['cpu'].pk}/ack/", {"comment": "x"}).status_code
        == 200
    )
    assert (
        client.post(f"/problems/{net['alerts']['down'].pk}/ack/", {"comment": "x"}).status_code
        == 404
    )


def test_acknowledging_a_resolved_problem_is_409(net, browser_for):
    response = browser_for("admin").post(
        f"/problems/{net['alerts']['old'].pk}/ack/", {"comment": ""}
    )
    assert response.status_code == 409


@pytest.mark.parametrize(
    "role,status", [("admin", 200), ("manager", 200), ("technician", 200), ("viewer", 403)]
)
def test_diagnostics_page_for_each_role(net, browser_for, role, status):
    assert browser_for(role).get("/diagnostics/").status_code == status


@pytest.mark.parametrize("role", ROLES)
def test_reports_page_for_each_role(net, browser_for, role):
    html = browser_for(role).get("/reports/", {"period": "24h"}).content.decode()
    assert "Availability by device" in html
    assert ("hq-sw1" in html) == (role != "technician")


def test_reports_page_names_a_bad_field(net, browser_for):
    response = browser_for("admin").get("/reports/", {"period": "fortnight"})
    assert response.status_code == 400 and b"period" in response.content


def test_manifest_and_service_worker_are_served_at_the_root(client):
    manifest = client.get("/manifest.webmanifest")
    assert manifest.status_code == 200 and manifest.json()["start_url"] == "/"
    assert manifest["Content-Type"].startswith("application/manifest+json")
    sw = client.get("/sw.js")
    assert sw.status_code == 200 and sw["Service-Worker-Allowed"] == "/"
    assert "javascript" in sw["Content-Type"] and b"__ASSETS__" not in sw.content


def test_vendored_static_files_are_served(client):
    for path in (
        "/static/console/vendor/htmx.min.js",
        "/static/console/vendor/uPlot.iife.min.js",
        "/static/console/console.js",
    ):
        response = client.get(path)
        assert response.status_code == 200, path


def test_reports_site_filter_lists_site_names(net, browser_for):
    html = browser_for("admin").get("/reports/").content.decode()
    assert '<option value="Branch"' in html and "{&#x27;site" not in html
