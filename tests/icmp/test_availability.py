import pytest

from monitoring.icmp.availability import Availability, next_availability

UP, DOWN, UNKNOWN, UNREACHABLE = (
    Availability.UP,
    Availability.DOWN,
    Availability.UNKNOWN,
    Availability.UNREACHABLE,
)


def test_one_failure_keeps_up_when_down_after_is_two():
    t = next_availability(UP, 0, is_success=False)
    assert (t.state, t.consecutive_failures, t.is_transition) == (UP, 1, False)


def test_second_consecutive_failure_goes_down():
    t = next_availability(UP, 1, is_success=False)
    assert (t.state, t.consecutive_failures, t.is_transition) == (DOWN, 2, True)


def test_staying_down_is_not_a_transition_and_keeps_counting():
    t = next_availability(DOWN, 5, is_success=False)
    assert (t.state, t.consecutive_failures, t.is_transition) == (DOWN, 6, False)


def test_one_success_brings_down_back_up_and_resets_count():
    t = next_availability(DOWN, 7, is_success=True)
    assert (t.state, t.consecutive_failures, t.is_transition) == (UP, 0, True)


def test_success_while_up_is_not_a_transition():
    assert next_availability(UP, 0, is_success=True).is_transition is False


def test_unknown_goes_up_on_first_success():
    assert next_availability("unknown", 0, is_success=True) == next_availability(UNKNOWN, 0, True)
    assert next_availability(UNKNOWN, 0, True).state is UP


def test_unknown_stays_unknown_until_down_after_reached():
    assert next_availability(UNKNOWN, 0, is_success=False).state is UNKNOWN
    assert next_availability(UNKNOWN, 1, is_success=False).state is DOWN


def test_parent_down_gives_unreachable_instead_of_down():
    t = next_availability(UP, 1, is_success=False, is_parent_down=True)
    assert (t.state, t.is_transition) == (UNREACHABLE, True)


def test_parent_down_does_not_shortcut_the_failure_count():
    assert next_availability(UP, 0, False, is_parent_down=True).state is UP


def test_unreachable_recovers_to_up_on_success():
    t = next_availability(UNREACHABLE, 9, is_success=True, is_parent_down=True)
    assert (t.state, t.consecutive_failures, t.is_transition) == (UP, 0, True)


def test_down_after_one_goes_down_on_first_failure():
    assert next_availability(UP, 0, False, down_after=1).state is DOWN


def test_down_after_three_needs_three_failures():
    states = []
    state, failures = UP, 0
    for _ in range(3):
        t = next_availability(state, failures, False, down_after=3)
        state, failures = t.state, t.consecutive_failures
        states.append(state)
    assert states == [UP, UP, DOWN]


@pytest.mark.parametrize("down_after,failures", [(0, 0), (2, -1)])
def test_invalid_arguments_are_rejected(down_after, failures):
    with pytest.raises(ValueError):
        next_availability(UP, failures, False, down_after=down_after)
