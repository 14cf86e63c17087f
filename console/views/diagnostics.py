"""Diagnostics page, and its stream: Server-Sent Events as hops and replies answer.

The stream is an async view (daphne serves it without holding a thread per probe). A
technician may probe their own devices only, by id or by address (anything else is 404),
as in the diagnostics API; viewers may not run probes.
"""

import json

from asgiref.sync import sync_to_async
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render

from monitoring.models import Device
from wardflux.permissions import STAFF_ROLES
from wardflux.roles import role_of

from .. import diagnose
from ..access import ACTING_ROLES, console_view


@console_view(ACTING_ROLES)
def diagnostics_page(request):
    devices = Device.objects.visible_to(request.user).only("pk", "name", "ip_address")
    context = {
        "devices": devices,
        "tools": diagnose.TOOLS,
        "selected": request.GET.get("device", ""),
    }
    return render(request, "console/diagnostics.html", context)


def _target(user, params) -> str:
    """The address to probe; PermissionDenied / Http404 / BadOption when not allowed."""
    role = role_of(user)
    if role not in ACTING_ROLES:
        raise PermissionDenied("Your role may not run diagnostics.")
    visible = Device.objects.visible_to(user)
    device_id, address = params.get("device", ""), params.get("address", "").strip()
    if bool(device_id) == bool(address):
        raise diagnose.BadOption("address", "Give either a device or an address.")
    if device_id:
        if not device_id.isdigit():
            raise diagnose.BadOption("device", "device must be a device id")
        device = visible.filter(pk=int(device_id)).first()
        if device is None:
            raise Http404("No such device.")
        return str(device.ip_address)
    if len(address) > 253:
        raise diagnose.BadOption("address", "address is too long")
    if role not in STAFF_ROLES and not visible.filter(ip_address=address).exists():
        raise Http404("No device of yours has this address.")
    return address


def _sse(event: dict) -> str:
    return f"event: {event['kind']}\ndata: {json.dumps(event)}\n\n"


async def diagnostics_stream(request):
    user = await request.auser()
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        address = await sync_to_async(_target)(user, request.GET)
        options = diagnose.parse_options(request.GET)
    except diagnose.BadOption as exc:
        return HttpResponseBadRequest(f"{exc.field}: {exc}")

    async def events():
        async for event in diagnose.run(address, options):
            yield _sse(event)

    response = StreamingHttpResponse(events(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response
