"""Counter arithmetic on ints (monitoring/snmp/values.py): no agent needed, pure functions."""

import pytest

from monitoring.snmp.values import (
    COUNTER32_MODULUS,
    COUNTER64_MODULUS,
    TIMETICKS_MODULUS,
    CounterState,
    Outcome,
    counter_rate,
)


def test_counter64_near_2_to_the_64_gives_an_exact_rate():
    prev = CounterState(2**64 - 10**9 - 7, 0, 100)
    cur = CounterState(2**64 - 7, 1000, 200)  # floats would lose these low digits
    rate = counter_rate(prev, cur, COUNTER64_MODULUS, scale=8)
    assert rate.outcome == Outcome.OK and rate.value == 8 * 10**9


def test_counter64_going_back_is_a_reset_not_a_wrap():
    rate = counter_rate(CounterState(10**15, 0, 100), CounterState(5, 1000, 200), COUNTER64_MODULUS)
    assert rate.outcome == Outcome.RESET


def test_counter32_wrap_gives_positive_rate():
    rate = counter_rate(
        CounterState(2**32 - 100, 0, 1), CounterState(900, 1000, 101), COUNTER32_MODULUS
    )
    assert rate.value == 1000.0


def test_sysuptime_wrap_after_497_days_is_not_a_reset():
    prev = CounterState(1000, 0, TIMETICKS_MODULUS - 50)
    cur = CounterState(2000, 1000, 50)
    assert counter_rate(prev, cur, COUNTER32_MODULUS).outcome == Outcome.OK


def test_discontinuity_time_change_is_a_reset():
    prev = CounterState(1000, 0, 100, discontinuity=5)
    cur = CounterState(2000, 1000, 200, discontinuity=150)
    assert counter_rate(prev, cur, COUNTER64_MODULUS).outcome == Outcome.RESET


def test_rate_above_interface_speed_is_dropped():
    prev, cur = CounterState(0, 0, 1), CounterState(200_000_000, 1000, 101)  # 1.6 Gbit/s
    rate = counter_rate(prev, cur, COUNTER64_MODULUS, scale=8, max_rate=10**9)
    assert rate.outcome == Outcome.OVER_SPEED


def test_counter32_read_too_long_ago_for_its_speed_is_ambiguous():
    prev, cur = CounterState(0, 0, 1), CounterState(10, 60_000, 6001)  # 60 s on 1 Gbit/s
    rate = counter_rate(prev, cur, COUNTER32_MODULUS, scale=8, max_rate=10**9)
    assert rate.outcome == Outcome.AMBIGUOUS


@pytest.mark.parametrize("prev", [None])
def test_first_read_gives_no_rate(prev):
    assert counter_rate(prev, CounterState(1, 0), COUNTER32_MODULUS).outcome == Outcome.FIRST
