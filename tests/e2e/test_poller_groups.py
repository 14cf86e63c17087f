"""Poller groups for real: two Celery workers on poll.site-a and poll.site-b, beat on the
DatabaseScheduler, a real snmpd; each device is polled only by its group's worker, and a
move made through the ORM (as the admin saves it) moves its polling within one beat tick."""

import time

import pytest

from .stack import wait_for

INTERVAL_S = 2
BEAT_TICK_S = 5  # django-celery-beat's DatabaseScheduler checks for changes this often


def polled(proc, device_id: int, since: int = 0) -> list[dict]:
    return [p for p in proc.polls(since) if int(p["device"]) == device_id]


@pytest.mark.e2e
@pytest.mark.timeout(120)
def test_it_polls_each_device_only_from_its_groups_worker_and_follows_a_move(make_stack, snmpd):
    stack = make_stack()
    agent = {"port": snmpd.port, "community": snmpd.community, "interval": INTERVAL_S}
    ids = stack.call(
        "add_devices",
        devices=[
            {"name": "a1", "group": "site-a", **agent},
            {"name": "a2", "group": "site-a", **agent},
            {"name": "b1", "group": "site-b", **agent},
        ],
    )
    a1, a2, b1 = ids["a1"], ids["a2"], ids["b1"]
    assert stack.call("poll_tasks") == {
        f"poll:{a1}:{INTERVAL_S}s": "poll.site-a",
        f"poll:{a2}:{INTERVAL_S}s": "poll.site-a",
        f"poll:{b1}:{INTERVAL_S}s": "poll.site-b",
    }
    site_a = stack.worker("site-a", "poll.site-a")
    site_b = stack.worker("site-b", "poll.site-b")
    stack.beat()

    wait_for(
        lambda: all(len(polled(site_a, d)) >= 2 for d in (a1, a2)) and len(polled(site_b, b1)) >= 2,
        40, "both workers to poll their devices twice",
    )  # fmt: skip
    assert {int(p["device"]) for p in site_a.polls()} == {a1, a2}
    assert {int(p["device"]) for p in site_b.polls()} == {b1}
    assert {p["worker"].split("@")[0] for p in site_a.polls()} == {"site-a"}
    assert all(p["ok"] == "True" for p in site_a.polls() + site_b.polls())

    since_b = site_b.mark()
    assert stack.call("move_to_group", device_id=a1, group="site-b") == "poll.site-b"
    moved = time.monotonic()
    wait_for(
        lambda: polled(site_b, a1, since_b), BEAT_TICK_S + INTERVAL_S + 2,
        "site-b's worker to poll the moved device within one beat tick",
    )  # fmt: skip
    took_s = time.monotonic() - moved
    # A task beat sent before it saw the move may still be on poll.site-a: let it drain.
    time.sleep(INTERVAL_S)
    since_a = site_a.mark()
    time.sleep(3 * INTERVAL_S)
    assert polled(site_a, a1, since_a) == [], "the old group's worker still polls a1"
    assert polled(site_a, a2, since_a), "site-a stopped polling its remaining device"
    assert len(polled(site_b, a1, since_b)) >= 3
    print(f"move took {took_s:.1f}s to reach site-b's worker")
