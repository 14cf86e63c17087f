"""The engine's per-process snapshot of rules and devices: cached, yet never stale for long.

Transactional: the generation token is set after commit, as it is when an operator saves a
rule in the admin while a worker evaluates batches.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alerts import snapshot
from alerts.engine import evaluate_samples
from alerts.models import Alert, AlertRule

from .conftest import sample

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
T0 = 1_800_000_000.0


def rule_queries(run) -> int:
    with CaptureQueriesContext(connection) as ctx:
        run()
    return sum('"alerts_alertrule"' in q["sql"] for q in ctx.captured_queries)


def test_a_quiet_batch_reads_no_rules_once_the_snapshot_is_warm(net, cpu_rule):
    assert rule_queries(lambda: evaluate_samples([sample(net["core"], 10, T0)])) >= 1
    assert rule_queries(lambda: evaluate_samples([sample(net["core"], 11, T0 + 30)])) == 0


def test_a_rule_saved_after_the_snapshot_applies_to_the_next_batch(net, cpu_rule):
    evaluate_samples([sample(net["core"], 10, T0)])
    AlertRule.objects.create(name="CPU warm", metric="cpu", operator=">", threshold=50)
    evaluate_samples([sample(net["core"], 60, T0 + 30)])
    assert Alert.objects.get().rule.name == "CPU warm"


def test_a_disabled_rule_or_device_stops_firing_on_the_next_batch(net, cpu_rule):
    evaluate_samples([sample(net["core"], 10, T0), sample(net["access"], 10, T0)])
    cpu_rule.enabled = False
    cpu_rule.save()
    evaluate_samples([sample(net["core"], 99, T0 + 30)])
    assert not Alert.objects.exists()
    cpu_rule.enabled = True
    cpu_rule.save()
    net["access"].enabled = False
    net["access"].save()
    evaluate_samples([sample(net["access"], 99, T0 + 60), sample(net["core"], 99, T0 + 60)])
    assert list(Alert.objects.values_list("device__name", flat=True)) == ["core-1"]


def test_a_scope_change_is_seen_on_the_next_batch(net, cpu_rule):
    evaluate_samples([sample(net["core"], 10, T0)])
    cpu_rule.devices.add(net["branch"])  # m2m only: no post_save of the rule
    evaluate_samples([sample(net["core"], 99, T0 + 30), sample(net["branch"], 99, T0 + 30)])
    assert list(Alert.objects.values_list("device__name", flat=True)) == ["br-1"]


def test_a_change_without_signals_is_seen_after_max_age(net, cpu_rule, monkeypatch):
    evaluate_samples([sample(net["core"], 10, T0)])
    AlertRule.objects.filter(pk=cpu_rule.pk).update(threshold=5)  # no signal
    evaluate_samples([sample(net["core"], 10, T0 + 30)])
    assert not Alert.objects.exists()  # the snapshot is still the old one
    monkeypatch.setattr(snapshot, "MAX_AGE_S", 0.0)
    evaluate_samples([sample(net["core"], 10, T0 + 60)])
    assert Alert.objects.get().value == 10


def test_another_process_change_is_seen_at_the_next_token_check(net, cpu_rule, monkeypatch):
    """Between checks a batch reads nothing shared; a token set by another process (here:
    set directly, after a change made without this process's signals) is read at the
    next check, CHECK_INTERVAL_S later."""
    evaluate_samples([sample(net["core"], 10, T0)])
    with CaptureQueriesContext(connection) as ctx:
        evaluate_samples([sample(net["core"], 11, T0 + 30)])
    read = [q["sql"] for q in ctx.captured_queries]
    assert not [q for q in read if "wardflux_cache" in q or '"alerts_alertrule"' in q]
    AlertRule.objects.filter(pk=cpu_rule.pk).update(threshold=5)
    cache.set(snapshot.GENERATION_KEY, "set-by-another-process", None)
    evaluate_samples([sample(net["core"], 10, T0 + 60)])
    assert not Alert.objects.exists()  # not checked yet
    monkeypatch.setattr(snapshot, "CHECK_INTERVAL_S", 0.0)
    evaluate_samples([sample(net["core"], 10, T0 + 90)])
    assert Alert.objects.get().value == 10
