"""WARD FLUX's own figures, in Prometheus text format at /metrics.

Counters and histograms are incremented where the work happens (pollers, ICMP, the
notifier, the API middleware); gauges that the database knows (alerts firing, devices by
status, queue depth) are computed at scrape time.
"""

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

POLLS = Counter(
    "wardflux_polls_total", "SNMP polls by poller group and outcome", ["poller_group", "outcome"]
)
POLL_DURATION = Histogram(
    "wardflux_poll_duration_seconds",
    "SNMP poll duration per device",
    ["poller_group"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30),
)
VARBINDS = Counter("wardflux_varbinds_total", "SNMP varbinds received", ["poller_group"])
ICMP_CHECKS = Counter("wardflux_icmp_checks_total", "ICMP device checks")
ICMP_FAILURES = Counter("wardflux_icmp_failures_total", "ICMP device checks with no reply")
NOTIFICATIONS = Counter(
    "wardflux_notifications_total",
    "Notification attempts by channel and outcome",
    ["channel", "outcome"],
)
API_LATENCY = Histogram(
    "wardflux_api_request_duration_seconds",
    "API request latency",
    ["method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)


def observe_poll(poller_group: str, ok: bool, duration_s: float, varbinds: int) -> None:
    POLLS.labels(poller_group, "ok" if ok else "failed").inc()
    POLL_DURATION.labels(poller_group).observe(duration_s)
    VARBINDS.labels(poller_group).inc(varbinds)


def observe_icmp(checks: int, failures: int) -> None:
    ICMP_CHECKS.inc(checks)
    ICMP_FAILURES.inc(failures)


def observe_notification(channel_id: int, outcome: str) -> None:
    """Label by channel name: what an operator recognises on a dashboard."""
    from alerts.models import NotificationChannel

    name = NotificationChannel.objects.filter(pk=channel_id).values_list("name", flat=True).first()
    NOTIFICATIONS.labels(name or str(channel_id), outcome).inc()


class DatabaseCollector:
    """Gauges read from the database and the broker when scraped."""

    def collect(self):
        from django.db.models import Count

        from monitoring.models import Device

        devices = GaugeMetricFamily("wardflux_devices", "Devices by status", labels=["status"])
        for row in Device.objects.filter(enabled=True).values("status").annotate(n=Count("id")):
            devices.add_metric([row["status"]], row["n"])
        yield devices
        firing = GaugeMetricFamily(
            "wardflux_alerts_firing", "Alerts firing now", labels=["severity"]
        )
        for severity, n in _firing_alerts():
            firing.add_metric([severity], n)
        yield firing
        depth = GaugeMetricFamily(
            "wardflux_queue_depth", "Messages waiting per queue", labels=["queue"]
        )
        for queue, n in queue_depths().items():
            depth.add_metric([queue], n)
        yield depth


def _firing_alerts() -> list[tuple[str, int]]:
    try:
        from alerts.models import Alert
    except ImportError:
        return []
    from django.db.models import Count

    rows = Alert.objects.filter(state="firing").values("severity").annotate(n=Count("id"))
    return [(r["severity"], r["n"]) for r in rows]


def queue_depths() -> dict[str, int]:
    """Messages waiting in each known queue (Redis lists or the filesystem broker's files)."""
    from .broker import queue_depths as depths

    try:
        return depths()
    except Exception:
        return {}


def render() -> bytes:
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    registry.register(DatabaseCollector())
    return generate_latest(registry)
