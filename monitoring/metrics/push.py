"""What POST /api/v1/metrics/import does with parsed lines: each series must name a
known device in its `device` label, and the store adds that device's `ip`.

A pushed series and a device's address make one Series, kept per process by the pair
(promtext keeps the pushed series by its text), so a script that pushes the same
series every minute costs a lookup a line, and the store checks only values and times.
"""

from .promtext import PromTextError
from .samples import InvalidSample, Sample, Series, SeriesSample, validate_sample

_WITH_IP: dict[tuple[Series, str], Series] = {}
_WITH_IP_MAX = 100_000


def device_samples(numbered: list[tuple[int, Sample]], ips: dict[str, str]) -> list[Sample]:
    """Each (line number, sample) as stored: its labels and its device's `ip`.

    `ips` maps device names to their addresses. Raises PromTextError, as a bad line
    does, for the first line with no device label, an unknown device, or a series the
    store would refuse.
    """
    out = []
    for lineno, s in numbered:
        device = s.labels.get("device")
        if not device:
            raise PromTextError(lineno, "no device label")
        ip = ips.get(device)
        if ip is None:
            raise PromTextError(lineno, f"device {device!r} is not a known device")
        try:
            out.append(_with_ip(s, str(ip)))
        except InvalidSample as exc:
            raise PromTextError(lineno, str(exc)) from None
    return out


def _with_ip(s: Sample, ip: str) -> Sample:
    if type(s) is not SeriesSample:  # a series promtext did not keep: checked in full
        sample = Sample(s.name, {**s.labels, "ip": ip}, s.timestamp, s.value)
        validate_sample(sample)
        return sample
    key = (s.series, ip)
    series = _WITH_IP.get(key)
    if series is None:
        if len(_WITH_IP) >= _WITH_IP_MAX:
            _WITH_IP.clear()
        series = _WITH_IP[key] = Series(s.name, {**s.labels, "ip": ip})
    return series.sample(s.timestamp, s.value)
