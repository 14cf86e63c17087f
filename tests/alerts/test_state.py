"""The pure state machine on crafted sequences: no database, no clock."""

from alerts import state
from alerts.state import FIRING, OK, PENDING, Params, Snapshot


def feed(params: Params, points, snap: Snapshot | None = None):
    snap = snap or Snapshot()
    events = []
    for ts, value in points:
        snap, ev = state.step(params, snap, ts, value)
        events.extend((ts, e) for e in ev)
    return snap, events


CPU = Params(operator=">", threshold=90.0)


def test_it_fires_on_threshold_crossing_and_not_below():
    snap, events = feed(CPU, [(1, 50), (2, 90), (3, 91)])
    assert snap.state == FIRING
    assert events == [(3, state.OPENED), (3, state.FIRED)]


def test_it_resolves_when_back_under_threshold_without_hysteresis():
    snap, events = feed(CPU, [(1, 95), (2, 90)])
    assert snap.state == OK and events[-1] == (2, state.RESOLVED)


def test_hysteresis_holds_firing_until_past_recovery_threshold():
    p = Params(operator=">", threshold=90.0, recovery_threshold=80.0)
    snap, events = feed(p, [(1, 95), (2, 85), (3, 89), (4, 81)])
    assert snap.state == FIRING and (4, state.RESOLVED) not in events
    snap, events = feed(p, [(5, 80)], snap)
    assert snap.state == OK and events == [(5, state.RESOLVED)]


def test_hysteresis_works_for_falling_thresholds():
    p = Params(operator="<", threshold=10.0, recovery_threshold=20.0)
    snap, _ = feed(p, [(1, 5), (2, 15)])
    assert snap.state == FIRING
    snap, _ = feed(p, [(3, 20)], snap)
    assert snap.state == OK


def test_for_seconds_waits_by_sample_time_before_firing():
    p = Params(operator=">", threshold=90.0, for_seconds=60)
    snap, events = feed(p, [(0, 95), (30, 96), (59, 97)])
    assert snap.state == PENDING and events == [(0, state.OPENED)]
    snap, events = feed(p, [(60, 95)], snap)
    assert snap.state == FIRING and events == [(60, state.FIRED)]


def test_pending_is_cancelled_when_condition_clears_before_for():
    p = Params(operator=">", threshold=90.0, for_seconds=60)
    snap, events = feed(p, [(0, 95), (30, 50), (40, 95), (90, 95)])
    assert snap.state == PENDING  # restarted at 40: only 50 s held
    assert [e for _, e in events] == [state.OPENED, state.CANCELLED, state.OPENED]
    assert snap.pending_since == 40


def test_consecutive_evaluations_count():
    p = Params(operator=">", threshold=90.0, for_evaluations=3)
    snap, _ = feed(p, [(1, 95), (2, 95)])
    assert snap.state == PENDING and snap.evaluations == 2
    snap, _ = feed(p, [(3, 95)], snap)
    assert snap.state == FIRING


def test_flapping_holds_firing_and_resolves_once_settled():
    p = Params(operator=">", threshold=90.0, flap_changes=4, flap_window_s=600)
    # Alternating every 10 s: fire, resolve, fire, resolve, then flapping from the 5th flip.
    snap, events = feed(p, [(t * 10, 95 if t % 2 == 0 else 50) for t in range(10)])
    names = [e for _, e in events]
    assert names.count(state.RESOLVED) == 2
    assert state.FLAPPING_STARTED in names
    assert snap.state == FIRING and snap.flapping
    # Still recovered 599 s after the last flip: held. 600 s: settled and resolved.
    last_flip = snap.recovered_since
    held, ev = state.settle(p, snap, last_flip + 599)
    assert held.state == FIRING and ev == ()
    done, ev = state.settle(p, snap, last_flip + 600)
    assert done.state == OK and ev == (state.FLAPPING_ENDED, state.RESOLVED)


def test_flapping_that_settles_in_problem_stays_firing_and_clears_flag():
    p = Params(operator=">", threshold=90.0, flap_changes=2, flap_window_s=100)
    snap, _ = feed(p, [(0, 95), (10, 50), (20, 95), (30, 50), (40, 95)])
    assert snap.flapping and snap.state == FIRING
    snap, events = feed(p, [(139, 95)], snap)
    assert snap.flapping
    snap, events = feed(p, [(141, 95)], snap)
    assert not snap.flapping and snap.state == FIRING
    assert events == [(141, state.FLAPPING_ENDED)]


def test_same_samples_twice_change_nothing():
    p = Params(operator=">", threshold=90.0, for_seconds=30)
    points = [(0, 95), (15, 96), (30, 97), (45, 50)]
    once, events_once = feed(p, points)
    twice, events_twice = feed(p, points, once)
    assert twice == once and events_twice == []
    # Older samples arriving late are ignored too.
    late, events_late = feed(p, [(20, 99)], once)
    assert late == once and events_late == []


def test_builtin_conditions_fire_on_one_and_resolve_on_zero():
    p = Params(operator=">=", threshold=1.0)
    snap, _ = feed(p, [(1, 0.0), (2, 1.0)])
    assert snap.state == FIRING
    snap, _ = feed(p, [(3, 0.0)], snap)
    assert snap.state == OK


def test_pending_fires_by_time_alone_once_for_has_elapsed():
    p = Params(operator=">", threshold=90.0, for_seconds=120)
    snap, _ = feed(p, [(100, 95)])
    assert state.promote(p, snap, 219) == (snap, ())
    fired, events = state.promote(p, snap, 230)
    assert fired.state == FIRING and events == (state.FIRED,)
    assert fired.flips == (220,)  # as of when it became due, not when it was noticed
    assert fired.last_ts == 100  # no observation invented: the next sample still counts
    assert state.promote(p, fired, 240) == (fired, ())
    after, events = state.step(p, fired, 250, 50)
    assert after.state == OK and events == (state.RESOLVED,)


def test_promotion_needs_enough_evaluations_and_a_fresh_last_observation():
    two = Params(operator=">", threshold=90.0, for_seconds=60, for_evaluations=2)
    snap, _ = feed(two, [(100, 95)])
    assert state.promote(two, snap, 200) == (snap, ())
    p = Params(operator=">", threshold=90.0, for_seconds=60)
    snap, _ = feed(p, [(100, 95)])
    stale_at = 100 + state.PROMOTE_MAX_AGE_S + 1
    assert state.promote(p, snap, stale_at) == (snap, ())
