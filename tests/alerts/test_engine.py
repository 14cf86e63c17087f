"""The engine against real PostgreSQL: rows, constraints, suppression, idempotence."""

import pytest
from django.db import IntegrityError

from alerts.engine import evaluate_conditions, evaluate_samples, promote_pending
from alerts.maintenance import to_datetime
from alerts.models import Alert, AlertRule, AlertSeries, MaintenanceWindow, NotificationAttempt
from alerts.persist import persist
from alerts.state import Snapshot
from alerts.transitions import SeriesWork

from .conftest import sample

pytestmark = pytest.mark.django_db
T0 = 1_800_000_000.0


def sends(callbacks) -> int:
    # Only notification sends: the console also queues a live-board message per alert.
    # A run queues all its sends with one callback (a SendBatch): count its messages.
    queued = [c for c in callbacks if "send_notification" in repr(c)]
    return sum(len(getattr(c, "messages", [c])) for c in queued)


def test_it_fires_once_and_queues_one_send_per_channel(
    net, cpu_rule, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        evaluate_samples([sample(net["core"], 50, T0), sample(net["core"], 95, T0 + 30)])
    alert = Alert.objects.get()
    assert (alert.state, alert.value, alert.severity, alert.device) == (
        "firing",
        95,
        "high",
        net["core"],
    )
    assert sends(queued) == 1
    assert [e["event"] for e in alert.timeline] == ["pending", "firing"]


def test_it_never_keeps_two_open_alerts_per_series(net, cpu_rule):
    evaluate_samples([sample(net["core"], 95, T0)])
    evaluate_samples([sample(net["core"], 97, T0 + 30), sample(net["core"], 99, T0 + 60)])
    assert Alert.objects.open().count() == 1
    with pytest.raises(IntegrityError):
        Alert.objects.create(
            rule=cpu_rule, device=net["core"], state="pending", severity="high",
            started_at=to_datetime(T0),
        )  # fmt: skip


def test_interfaces_are_separate_series_of_one_device(net, db):
    AlertRule.objects.create(name="IF down", metric="interface_down")
    evaluate_samples(
        [
            sample(net["core"], 2, T0, "if_oper_status", ifName="Gi0/1", ifIndex="1"),
            sample(net["core"], 2, T0, "if_oper_status", ifName="Gi0/2", ifIndex="2"),
            sample(net["core"], 1, T0, "if_oper_status", ifName="Gi0/3", ifIndex="3"),
            # Shut down on purpose: admin down is not a problem.
            sample(net["core"], 2, T0, "if_oper_status", ifName="Gi0/4", ifIndex="4"),
            sample(net["core"], 2, T0, "if_admin_status", ifName="Gi0/4", ifIndex="4"),
        ]
    )
    assert sorted(a.labels["ifName"] for a in Alert.objects.filter(state="firing")) == [
        "Gi0/1",
        "Gi0/2",
    ]


def test_same_batch_twice_changes_nothing(net, cpu_rule, django_capture_on_commit_callbacks):
    batch = [sample(net["core"], 95, T0), sample(net["core"], 85, T0 + 30)]
    evaluate_samples(batch)
    before = list(Alert.objects.values()), list(AlertSeries.objects.values())
    with django_capture_on_commit_callbacks() as queued:
        assert evaluate_samples(batch) == 0
        assert evaluate_samples(batch[:1]) == 0
    assert (list(Alert.objects.values()), list(AlertSeries.objects.values())) == before
    assert sends(queued) == 0


def test_hysteresis_resolves_only_past_recovery_and_sends_recovery(
    net, cpu_rule, django_capture_on_commit_callbacks
):
    evaluate_samples([sample(net["core"], 95, T0)])
    evaluate_samples([sample(net["core"], 85, T0 + 30)])
    assert Alert.objects.get().state == "firing"
    with django_capture_on_commit_callbacks() as queued:
        evaluate_samples([sample(net["core"], 79, T0 + 60)])
    alert = Alert.objects.get()
    assert alert.state == "resolved" and alert.resolved_at == to_datetime(T0 + 60)
    assert alert.last_value == 79 and sends(queued) == 1


def test_pending_that_clears_leaves_no_alert(net, cpu_rule):
    cpu_rule.for_seconds = 120
    cpu_rule.save()
    evaluate_samples([sample(net["core"], 95, T0)])
    assert Alert.objects.get().state == "pending"
    evaluate_samples([sample(net["core"], 50, T0 + 60)])
    assert not Alert.objects.exists()
    # ... and replaying the old problem sample does not bring it back.
    evaluate_samples([sample(net["core"], 95, T0)])
    assert not Alert.objects.exists()


def test_alert_behind_a_down_parent_is_recorded_not_sent(
    net, cpu_rule, django_capture_on_commit_callbacks
):
    net["core"].status = "down"
    net["core"].save()
    with django_capture_on_commit_callbacks() as queued:
        evaluate_samples([sample(net["access"], 99, T0)])
    alert = Alert.objects.get()
    assert alert.state == "firing" and alert.suppressed == "parent_down"
    assert sends(queued) == 0
    assert NotificationAttempt.objects.get().outcome == "suppressed"
    # The parent comes back while the problem stays: the held message goes out once.
    net["core"].status = "up"
    net["core"].save()
    with django_capture_on_commit_callbacks() as queued:
        evaluate_conditions(T0 + 60)
        evaluate_conditions(T0 + 90)
    alert.refresh_from_db()
    assert alert.suppressed == "" and alert.notified_firing and sends(queued) == 1


def test_maintenance_window_suppresses_by_site(net, cpu_rule, django_capture_on_commit_callbacks):
    MaintenanceWindow.objects.create(
        name="hq works", sites=["hq"], start=to_datetime(T0 - 60), end=to_datetime(T0 + 600)
    )
    with django_capture_on_commit_callbacks() as queued:
        evaluate_samples([sample(net["core"], 99, T0), sample(net["branch"], 99, T0)])
    by_device = {a.device.name: a.suppressed for a in Alert.objects.all()}
    assert by_device == {"core-1": "maintenance", "br-1": ""}
    assert sends(queued) == 1
    # Resolving inside the window: the firing was never sent, so no recovery either.
    with django_capture_on_commit_callbacks() as queued:
        evaluate_samples([sample(net["core"], 10, T0 + 60)])
    assert sends(queued) == 0


def test_flapping_series_is_held_firing_and_flagged(
    net, cpu_rule, django_capture_on_commit_callbacks
):
    cpu_rule.flap_changes = 4
    cpu_rule.flap_window_s = 600
    cpu_rule.save()
    with django_capture_on_commit_callbacks() as queued:
        for i in range(10):
            evaluate_samples([sample(net["core"], 95 if i % 2 == 0 else 50, T0 + i * 10)])
    open_alert = Alert.objects.open().get()
    assert open_alert.flapping and open_alert.suppressed == "flapping"
    assert Alert.objects.filter(state="resolved").count() == 2
    # Two firing and two recovery messages before flapping; nothing after.
    assert sends(queued) == 4
    evaluate_conditions(T0 + 90 + 600)
    open_alert.refresh_from_db()
    assert open_alert.state == "resolved" and not open_alert.flapping


def test_device_down_and_snmp_unreachable_come_from_device_state(net, db):
    AlertRule.objects.create(name="Down", metric="device_down", severity="disaster")
    AlertRule.objects.create(name="No SNMP", metric="snmp_unreachable", sites=["branch"])
    net["core"].status = "down"
    net["core"].save()
    net["branch"].snmp_reachable = False
    net["branch"].save()
    net["access"].snmp_reachable = False  # not in the rule's scope (site hq)
    net["access"].save()
    evaluate_conditions(T0)
    fired = {(a.rule.name, a.device.name) for a in Alert.objects.filter(state="firing")}
    assert fired == {("Down", "core-1"), ("No SNMP", "br-1")}
    net["core"].status = "up"
    net["core"].save()
    evaluate_conditions(T0 + 30)
    assert Alert.objects.get(rule__name="Down").state == "resolved"


def test_no_data_fires_when_a_seen_series_stops(net, db):
    AlertRule.objects.create(name="No CPU", metric="no_data", watch_metric="cpu", threshold=300)
    evaluate_samples([sample(net["core"], 10, T0)])
    evaluate_conditions(T0 + 200)
    assert not Alert.objects.exists()
    evaluate_conditions(T0 + 301)
    assert Alert.objects.get().state == "firing"
    evaluate_samples([sample(net["core"], 10, T0 + 400)])
    evaluate_conditions(T0 + 410)
    assert Alert.objects.get().state == "resolved"


def test_rule_scope_by_device_type_and_tag(net, db):
    from monitoring.models import Tag

    core_tag = Tag.objects.create(name="core")
    net["core"].tags.add(core_tag)
    net["core"].device_type = "router"
    net["core"].save()
    rule = AlertRule.objects.create(name="CPU core", metric="cpu", threshold=90)
    rule.tags.add(core_tag)
    rule.device_types = ["router"]
    rule.save()
    evaluate_samples([sample(d, 99, T0) for d in net.values()])
    assert [a.device.name for a in Alert.objects.all()] == ["core-1"]


def test_pending_alert_fires_when_for_elapses_without_a_new_sample(
    net, cpu_rule, django_capture_on_commit_callbacks
):
    cpu_rule.for_seconds = 120
    cpu_rule.save()
    evaluate_samples([sample(net["core"], 95, T0)])
    assert promote_pending(T0 + 60) == 0
    assert Alert.objects.get().state == "pending"
    with django_capture_on_commit_callbacks() as queued:
        assert promote_pending(T0 + 125) == 1
        assert promote_pending(T0 + 135) == 0  # idempotent
    alert = Alert.objects.get()
    assert alert.state == "firing" and alert.fired_at == to_datetime(T0 + 120)
    assert [e["event"] for e in alert.timeline] == ["pending", "firing"]
    assert sends(queued) == 1
    # The next sample is evaluated as usual: past the recovery threshold it resolves.
    evaluate_samples([sample(net["core"], 70, T0 + 150)])
    assert Alert.objects.get().state == "resolved"


def test_pending_alert_with_a_stale_last_sample_is_not_promoted(net, cpu_rule):
    cpu_rule.for_seconds = 60
    cpu_rule.save()
    evaluate_samples([sample(net["core"], 95, T0)])
    assert promote_pending(T0 + 3600) == 0
    assert Alert.objects.get().state == "pending"


def test_promoted_alert_behind_a_down_parent_is_suppressed(
    net, cpu_rule, django_capture_on_commit_callbacks
):
    cpu_rule.for_seconds = 60
    cpu_rule.save()
    evaluate_samples([sample(net["access"], 95, T0)])
    net["core"].status = "down"
    net["core"].save()
    with django_capture_on_commit_callbacks() as queued:
        promote_pending(T0 + 61)
    alert = Alert.objects.get()
    assert alert.state == "firing" and alert.suppressed == "parent_down"
    assert sends(queued) == 0
    assert NotificationAttempt.objects.get().outcome == "suppressed"


def test_a_storm_batch_writes_every_alert_with_a_fixed_number_of_queries(
    cpu_rule, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    from monitoring.models import Device

    devices = Device.objects.bulk_create(
        Device(name=f"d{i}", ip_address=f"10.9.0.{i}", site="s") for i in range(1, 41)
    )
    # Half fire at once, one of them behind a maintenance window (recorded, not sent).
    MaintenanceWindow.objects.create(
        name="w", start=to_datetime(T0 - 60), end=to_datetime(T0 + 60)
    ).devices.add(devices[0])
    batch = [sample(d, 95 if i % 2 == 0 else 10, T0) for i, d in enumerate(devices)]
    # 7 reads, then per run: transaction (2); lock, insert and update series; lock, insert
    # and update alerts; maintenance windows (2); suppressed records. Never per alert.
    queries = 18
    with django_capture_on_commit_callbacks() as queued, django_assert_max_num_queries(queries):
        assert evaluate_samples(batch) == 40  # opened + fired, 20 times
    assert Alert.objects.filter(state="firing").count() == 20
    assert AlertSeries.objects.exclude(alert=None).count() == 20
    assert sends(queued) == 19
    assert NotificationAttempt.objects.get().outcome == "suppressed"
    # ... and the same number of queries when 20 resolve and 20 others fire.
    batch = [sample(d, 10 if i % 2 == 0 else 95, T0 + 30) for i, d in enumerate(devices)]
    with django_capture_on_commit_callbacks() as queued, django_assert_max_num_queries(queries):
        assert evaluate_samples(batch) == 60
    assert Alert.objects.filter(state="resolved").count() == 20
    assert Alert.objects.filter(state="firing").count() == 20
    assert AlertSeries.objects.exclude(alert=None).count() == 20
    assert sends(queued) == 19 + 20  # the one held by maintenance sends no recovery


def test_a_series_another_worker_moved_first_is_left_to_it(net, cpu_rule):
    evaluate_samples([sample(net["core"], 95, T0)])
    row = AlertSeries.objects.get()
    # A run that read the series before another worker evaluated T0 + 30 ...
    stale = AlertSeries.objects.get()
    evaluate_samples([sample(net["core"], 50, T0 + 30)])
    work = SeriesWork(cpu_rule, row.device_id, {}, "", stale, Snapshot(state="firing"))
    work.after = Snapshot(state="firing", last_ts=T0 + 60, last_value=99)
    work.steps.append((T0 + 60, 99, (), work.after))
    assert persist([work]) == 0
    assert AlertSeries.objects.get().last_ts == T0 + 30
    # ... and one that would create a series another worker created first.
    fresh = SeriesWork(cpu_rule, net["branch"].pk, {}, "", None, Snapshot())
    AlertSeries.objects.create(rule=cpu_rule, device=net["branch"], state="ok", last_ts=T0)
    fresh.after = Snapshot(state="firing", last_ts=T0 + 60, last_value=99, pending_since=T0)
    fresh.steps.append((T0 + 60, 99, ("opened", "fired"), fresh.after))
    assert persist([fresh]) == 0
    assert not Alert.objects.filter(device=net["branch"]).exists()


def test_an_alert_refused_by_the_one_open_per_series_rule_sends_nothing(
    net, cpu_rule, django_capture_on_commit_callbacks
):
    # An open alert the series does not know about (say, left by an interrupted run).
    Alert.objects.create(
        rule=cpu_rule, device=net["core"], state="firing", severity="high",
        started_at=to_datetime(T0 - 60),
    )  # fmt: skip
    with django_capture_on_commit_callbacks() as queued:
        evaluate_samples([sample(net["core"], 95, T0), sample(net["branch"], 95, T0)])
    assert Alert.objects.filter(device=net["core"]).count() == 1
    assert Alert.objects.get(device=net["branch"]).state == "firing"
    assert AlertSeries.objects.get(device=net["core"]).alert_id is None
    assert sends(queued) == 1  # the branch's only


def test_one_batch_can_close_an_alert_and_open_the_next_on_the_same_series(
    net, cpu_rule, django_capture_on_commit_callbacks
):
    batch = [sample(net["core"], v, T0 + i * 10) for i, v in enumerate([95, 10, 95])]
    with django_capture_on_commit_callbacks() as queued:
        assert evaluate_samples(batch) == 5  # opened+fired, resolved, opened+fired
    states = list(Alert.objects.order_by("started_at").values_list("state", flat=True))
    assert states == ["resolved", "firing"]
    assert AlertSeries.objects.get().alert == Alert.objects.get(state="firing")
    assert sends(queued) == 3
