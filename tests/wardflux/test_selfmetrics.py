import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_it_serves_prometheus_text_to_allowed_addresses(client, api):
    api("admin").get("/api/v1/devices/")  # one API request so the latency histogram has data
    resp = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert resp.status_code == 200
    text = resp.content.decode()
    assert "wardflux_api_request_duration_seconds_bucket" in text
    assert "# TYPE wardflux_devices gauge" in text
    assert "wardflux_queue_depth" in text


@override_settings(METRICS_TOKEN="s3cret-token", METRICS_ALLOW_FROM=[])
def test_it_refuses_scrapes_without_token_or_allowed_address(client):
    assert client.get("/metrics", REMOTE_ADDR="10.9.9.9").status_code == 403
    bad = client.get("/metrics", REMOTE_ADDR="10.9.9.9", HTTP_AUTHORIZATION="Bearer nope")
    assert bad.status_code == 403
    good = client.get("/metrics", REMOTE_ADDR="10.9.9.9", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert good.status_code == 200


def _value(text: str, line_start: str) -> float:
    for line in text.splitlines():
        if line.startswith(line_start):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_polls_and_icmp_checks_are_counted_across_processes(client):
    from wardflux.selfmetrics import observe_icmp, observe_poll

    series = 'wardflux_polls_total{outcome="failed",poller_group="site-z"}'
    before = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    observe_poll("site-z", False, 0.3, 0)
    observe_poll("site-z", False, 0.2, 0)
    observe_icmp(10, 3)
    after = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    assert _value(after, series) - _value(before, series) == 2
    failures = "wardflux_icmp_failures_total "
    assert _value(after, failures) - _value(before, failures) == 3
    assert 'wardflux_poll_duration_seconds_bucket{le="0.25",poller_group="site-z"}' in after
