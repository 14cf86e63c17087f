"""The console in real Chromium, served by daphne: log in, watch, acknowledge, graph, ping.

Each test saves full-page screenshots at 1366 px and 390 px under tests/artifacts/.
"""

import os
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections
from django.utils import timezone

from alerts.models import Alert
from monitoring.metrics.samples import Sample
from monitoring.metrics.store import write
from monitoring.models import Device

from .browser import CHROMIUM, CHROMIUM_ARGS, Daphne, shoot

PASSWORD = "correct horse 42"
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker):
    db = settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"]:
        pytest.fail("browser tests share the database with daphne: set DATABASE_URL=postgres://...")
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    daphne = Daphne(url, env={"CONSOLE_WATCH_INTERVAL_S": "1"})
    yield daphne
    daphne.stop()


@pytest.fixture
def page(server):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (scripts/test-services.sh)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1366, "height": 900}, base_url=server.url)
        context.set_default_timeout(15_000)
        tab = context.new_page()
        yield tab
        context.close()
        browser.close()


def orm(fn, *args):
    """Run ORM work in a thread of its own, whose connection is closed after.

    Playwright's sync API runs greenlets in this thread, and Django would hand such a
    context a connection of its own that nothing closes (the test database could then not
    be dropped)."""

    def work():
        try:
            return fn(*args)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(work).result()


def log_in(page, username: str) -> None:
    page.goto("/")
    assert "/login/" in page.url
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def seed_metrics(device: Device, minutes: int = 60) -> None:
    now = time.time()
    labels = {"device": device.name, "ip": str(device.ip_address)}
    samples = []
    for i in range(minutes * 2):
        ts = now - minutes * 60 + i * 30
        wave = (i % 20) / 20
        for stat, base in (("min", 0.8), ("avg", 1.4), ("max", 3.1)):
            samples.append(Sample("ping_rtt_ms", {**labels, "stat": stat}, ts, base + wave))
        samples.append(Sample("ping_loss", labels, ts, 0.0 if i % 17 else 33.3))
        samples.append(Sample("cpu_percent", labels, ts, 35 + 30 * wave))
        samples.append(Sample("memory_used_percent", labels, ts, 61 + 2 * wave))
        for name, util in (("Gi0/1", 72.0), ("Gi0/2", 4.0)):
            il = {**labels, "ifName": name, "ifIndex": name[-1]}
            samples.append(Sample("if_in_bps", il, ts, util * 1e7 * (0.9 + wave / 5)))
            samples.append(Sample("if_out_bps", il, ts, util * 4e6))
            samples.append(Sample("if_util_in_pct", il, ts, util * (0.9 + wave / 5)))
            samples.append(Sample("if_util_out_pct", il, ts, util * 0.4))
            samples.append(Sample("if_in_errors", il, ts, wave))
    write(samples)


def test_board_shows_what_is_down_and_updates_live(net, page):
    log_in(page, "admin-user")
    board = page.locator("#board-body")
    down = board.locator(".tile[data-state=down]")
    assert down.count() == 1 and "hq-sw1" in down.inner_text()
    assert "Device down" in down.inner_text()
    page.wait_for_selector("body[data-live=on]")  # the WebSocket is up
    # A device goes down behind the page's back (a conditional UPDATE, as the ICMP monitor does).
    branch = net["devices"]["br"]
    orm(
        lambda: Device.objects.filter(pk=branch.pk).update(
            status="down", status_changed=timezone.now()
        )
    )
    page.wait_for_selector(f".tile[data-device='{branch.pk}'][data-state=down]", timeout=10_000)
    shoot(page, "board")


def test_acknowledge_a_problem_from_the_problems_page(net, page):
    log_in(page, "manager-user")
    page.goto("/problems/")
    alert = net["alerts"]["down"]
    row = page.locator(f"#alert-{alert.pk}")
    row.locator("input[name=comment]").fill("On my way, PSU suspected")
    row.locator("button", has_text="Acknowledge").click()
    page.wait_for_selector(f"#alert-{alert.pk} .ack")
    assert "On my way" in page.locator(f"#alert-{alert.pk}").inner_text()
    assert orm(lambda: Alert.objects.get(pk=alert.pk).acknowledged)
    shoot(page, "problems")


def test_device_page_draws_charts_with_data_points(net, page):
    core = net["devices"]["core"]
    orm(seed_metrics, core)
    log_in(page, "viewer-user")
    page.goto(f"/devices/{core.pk}/")
    chart = page.locator(".chart[data-metrics=ping_rtt_ms]")
    page.wait_for_function(
        "document.querySelector('.chart[data-metrics=ping_rtt_ms]').dataset.points > 0"
    )
    assert int(chart.get_attribute("data-points")) >= 150  # 3 stats x about 60 steps
    assert chart.locator("canvas").count() == 1
    first = page.locator("tbody.iface").first
    assert "Gi0/1" in first.inner_text()  # busiest first
    first.locator("button.expand").click()
    page.wait_for_function(
        "[...document.querySelectorAll('.chart[data-ifname]')].some(c => c.dataset.points > 0)"
    )
    shoot(page, "device")


def test_ping_from_the_diagnostics_page(net, page):
    log_in(page, "admin-user")
    page.goto("/diagnostics/")
    page.fill("input[name=address]", "127.0.0.1")
    page.click("#diag button[type=submit]")
    page.wait_for_selector("#diag-status:text('Done.')", timeout=20_000)
    assert page.locator("#diag-out tbody tr").count() == 4
    assert "4/4 replies, 0 % loss" in page.locator("#diag-summary").inner_text()
    shoot(page, "diagnostics")


def seed_history(net) -> None:
    from monitoring.models import AvailabilityEvent

    sw1, now = net["devices"]["sw1"], timezone.now()
    AvailabilityEvent.objects.create(
        device=sw1, from_state="up", to_state="down", at=now - timedelta(hours=6),
        reason="3 of 3 pings lost",
    )  # fmt: skip
    AvailabilityEvent.objects.create(
        device=sw1, from_state="down", to_state="up", at=now - timedelta(hours=5)
    )
    seed_metrics(net["devices"]["core"], minutes=30)
    for name, cpu in (("hq-sw1", 91.0), ("branch-rtr", 12.0)):
        device = Device.objects.get(name=name)
        labels = {"device": name, "ip": str(device.ip_address)}
        write([Sample("cpu_percent", labels, time.time() - 60 * m, cpu) for m in range(30)])


def test_reports_page_shows_sla_and_incidents(net, page):
    orm(seed_history, net)
    log_in(page, "admin-user")
    page.goto("/reports/?period=24h")
    assert "hq-sw1" in page.locator("main").inner_text()
    shoot(page, "reports")


def test_board_on_a_phone_keeps_down_devices_first(net, page):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "technician-user")
    assert page.locator(".tile").count() == 1  # only the technician's own device
    assert os.path.exists(shoot(page, "board-technician")[1])
