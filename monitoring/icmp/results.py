"""Result of probing one host: counts, RTTs and the statistics derived from them."""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["HostResult", "jitter_ms"]


def jitter_ms(rtts_ms: list[float]) -> float | None:
    """Mean absolute difference of consecutive RTTs (RFC 3550 §6.4.1 style, unsmoothed).

    Not the standard deviation: this measures packet-to-packet variation, the thing that
    hurts voice and video, and is what most NMS show as "jitter". None below two samples.
    """
    if len(rtts_ms) < 2:
        return None
    diffs = [abs(b - a) for a, b in zip(rtts_ms, rtts_ms[1:], strict=False)]
    return sum(diffs) / len(diffs)


@dataclass(slots=True)
class HostResult:
    """Echo statistics for one address.

    ``rtts_ms`` holds answered rounds in arrival order; ``lost_rounds`` the unanswered ones.
    ``sent`` counts requests the kernel accepted; ``errors`` holds send failures (e.g.
    "Network is unreachable"), each of which also counts as a lost round.
    """

    address: str
    sent: int = 0
    received: int = 0
    rtts_ms: list[float] = field(default_factory=list)
    lost_rounds: list[int] = field(default_factory=list)
    duplicates: int = 0
    late_replies: int = 0  # arrived after the round had been counted as lost
    errors: list[str] = field(default_factory=list)
    is_complete: bool = False  # False when the sweep was cancelled before the host finished

    @property
    def min_ms(self) -> float | None:
        return min(self.rtts_ms) if self.rtts_ms else None

    @property
    def avg_ms(self) -> float | None:
        return statistics.fmean(self.rtts_ms) if self.rtts_ms else None

    @property
    def max_ms(self) -> float | None:
        return max(self.rtts_ms) if self.rtts_ms else None

    @property
    def stdev_ms(self) -> float | None:
        return statistics.pstdev(self.rtts_ms) if self.rtts_ms else None

    @property
    def jitter_ms(self) -> float | None:
        return jitter_ms(self.rtts_ms)

    @property
    def loss_pct(self) -> float:
        attempted = self.received + len(self.lost_rounds)
        if attempted == 0:
            return 100.0
        return 100.0 * len(self.lost_rounds) / attempted

    @property
    def is_alive(self) -> bool:
        return self.received > 0

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for name in ("min_ms", "avg_ms", "max_ms", "stdev_ms", "jitter_ms", "loss_pct"):
            data[name] = getattr(self, name)
        data["is_alive"] = self.is_alive
        return data
