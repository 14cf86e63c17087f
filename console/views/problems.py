"""Problems: open alerts, worst and oldest first; acknowledge with a comment; recoveries."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from alerts.actions import NotOpen, acknowledge
from alerts.choices import AlertState
from alerts.models import Alert

from ..access import console_view, may_act
from ..choices import SEVERITY_RANK

RECOVERIES_SHOWN_H = 24
MAX_COMMENT = 2000


def open_problems(user) -> list[Alert]:
    # rule and device: each row shows the rule's name and links its device.
    alerts = (
        Alert.objects.visible_to(user).open().select_related("rule", "device", "acknowledged_by")
    )
    return sorted(alerts, key=lambda a: (SEVERITY_RANK.get(a.severity, 9), a.started_at))


@console_view()
def problems(request):
    since = timezone.now() - timedelta(hours=RECOVERIES_SHOWN_H)
    recovered = (
        Alert.objects.visible_to(request.user)
        .filter(state=AlertState.RESOLVED, resolved_at__gte=since)
        .select_related("rule", "device")  # shown per row
        .order_by("-resolved_at")[:50]
    )
    context = {
        "problems": open_problems(request.user),
        "recovered": recovered,
        "may_act": may_act(request.user),
        "hours": RECOVERIES_SHOWN_H,
        "now": timezone.now(),
    }
    return render(request, "console/problems.html", context)


@require_POST
@console_view()
def acknowledge_problem(request, alert_id: int):
    if not may_act(request.user):
        raise PermissionDenied("Viewers cannot acknowledge problems.")
    alert = get_object_or_404(Alert.objects.visible_to(request.user), pk=alert_id)
    comment = request.POST.get("comment", "").strip()
    if len(comment) > MAX_COMMENT:
        return HttpResponseBadRequest(f"comment: at most {MAX_COMMENT} characters")
    error = ""
    try:
        alert = acknowledge(alert, request.user, comment)
    except NotOpen as exc:
        error = str(exc)
    context = {"alert": alert, "may_act": True, "error": error, "now": timezone.now()}
    status = 409 if error else 200
    return render(request, "console/_problem_row.html", context, status=status)
