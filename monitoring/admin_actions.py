"""Admin actions of the polling engine: poll now, test credentials."""

from django.contrib import admin, messages

from .credential_check import check_credential
from .polling import poll_many, write_samples

MAX_DEVICES_PER_ACTION = 200  # a bigger selection belongs to the scheduler, not a request


@admin.action(description="Poll now", permissions=["change"])
def poll_now(modeladmin, request, queryset) -> None:
    ids = list(queryset.values_list("pk", flat=True)[: MAX_DEVICES_PER_ACTION + 1])
    if len(ids) > MAX_DEVICES_PER_ACTION:
        messages.error(request, f"Select at most {MAX_DEVICES_PER_ACTION} devices to poll now.")
        return
    results = poll_many(ids, force=True)
    write_samples([s for r in results for s in r.samples])
    for r in results:
        if r.ok:
            rates = sum(1 for s in r.samples if s.name.startswith("if_"))
            messages.success(
                request,
                f"{r.device}: {len(r.samples)} samples ({rates} interface) in {r.duration_s:.2f}s"
                + (f"; partly failed: {r.error}" if r.error else ""),
            )
        else:
            messages.error(request, f"{r.device}: {r.skipped or r.error}")


@admin.action(description="Test SNMP credentials", permissions=["change"])
def test_credentials(modeladmin, request, queryset) -> None:
    for device in queryset.select_related("snmp_credential")[:MAX_DEVICES_PER_ACTION]:
        if device.snmp_credential is None:
            messages.warning(request, f"{device}: no SNMP credential")
            continue
        found = check_credential(device.snmp_credential, device.ip_address)
        if found["ok"]:
            messages.success(request, f"{device}: answers as {found['sys_name']!r}")
        else:
            messages.error(request, f"{device}: {found['error']}")
