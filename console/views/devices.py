"""Device page: identity, state history, open problems, graphs and interfaces."""

from django.shortcuts import get_object_or_404, render

from alerts.models import Alert
from monitoring.metrics.store import BackendUnavailable, query
from monitoring.models import Device

from ..access import console_view
from ..board import alert_label
from ..choices import SEVERITY_RANK

HISTORY_SHOWN = 30
RANGES = [("1h", 3600), ("6h", 6 * 3600), ("24h", 86400), ("7d", 7 * 86400), ("30d", 30 * 86400)]
CHARTS = [
    {"title": "Ping round-trip time", "unit": "ms", "metrics": ["ping_rtt_ms"], "by": "stat"},
    {"title": "Ping loss", "unit": "%", "metrics": ["ping_loss"]},
    {"title": "CPU", "unit": "%", "metrics": ["cpu_percent"]},
    {"title": "Memory used", "unit": "%", "metrics": ["memory_used_percent"]},
]


def _latest(metric: str, device: Device) -> dict[str, float]:
    """Newest value per interface (by ifName) of one metric; {} when the store is down."""
    try:
        found = query(metric, {"device": device.name})
    except BackendUnavailable:
        return {}
    return {s["metric"].get("ifName", ""): float(s["value"][1]) for s in found}


def interface_rows(device: Device) -> list[dict]:
    """Interfaces sorted by utilisation (the busier of in and out), busiest first."""
    util_in, util_out = _latest("if_util_in_pct", device), _latest("if_util_out_pct", device)
    bps_in, bps_out = _latest("if_in_bps", device), _latest("if_out_bps", device)
    rows = []
    for interface in device.interfaces.all():
        name = interface.if_name
        util = max(util_in.get(name, -1.0), util_out.get(name, -1.0))
        rows.append(
            {
                "interface": interface,
                "util_pct": util if util >= 0 else None,
                "in_bps": bps_in.get(name),
                "out_bps": bps_out.get(name),
            }
        )
    return sorted(rows, key=lambda r: (-(r["util_pct"] or -1), r["interface"].if_index))


@console_view()
def device_page(request, device_id: int):
    device = get_object_or_404(Device.objects.visible_to(request.user), pk=device_id)
    alerts = sorted(
        Alert.objects.filter(device=device).open().select_related("rule"),  # rule: its name
        key=lambda a: (SEVERITY_RANK.get(a.severity, 9), a.started_at),
    )
    context = {
        "device": device,
        "history": device.availability_events.order_by("-at", "-pk")[:HISTORY_SHOWN],
        "alerts": [(a, alert_label(a)) for a in alerts],
        "interfaces": interface_rows(device),
        "ranges": RANGES,
        "charts": CHARTS,
        "parent": device.parent,
    }
    return render(request, "console/device.html", context)
