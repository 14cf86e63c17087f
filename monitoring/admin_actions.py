"""Admin actions of the polling engine: poll now, test credentials (saved or not)."""

from django.contrib import admin, messages

from .credential_check import check_credential
from .polling import poll_many, write_samples

MAX_DEVICES_PER_ACTION = 200  # a bigger selection belongs to the scheduler, not a request
TRIAL_BUTTON = "_test"  # the credential form's "Test before saving" submit button


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
        report_check(
            request, str(device), check_credential(device.snmp_credential, device.ip_address)
        )


def report_check(request, label: str, found: dict) -> None:
    """One admin message for a check_credential outcome: the sysName it answers as, or the
    error (for SNMPv3 it carries the reason: unknown engine ID, wrong digest...)."""
    if found["ok"]:
        messages.success(request, f"{label}: answers as {found['sys_name']!r}")
    else:
        messages.error(request, f"{label}: {found['error']}")


def is_trial(request) -> bool:
    """The credential form's "Test before saving" button was pressed."""
    return request.method == "POST" and TRIAL_BUTTON in request.POST


def trial_form(form_class, request):
    """The credential form for a "Test before saving" post.

    Validation runs exactly as for a save; when it passes, the unsaved credential
    (``save(commit=False)``: for a change, secrets left blank are the stored ones) is tried on
    the address and ``is_valid()`` still answers False, so the admin's own add/change view
    re-renders the posted form (its permissions and context included) and never saves.
    """

    class TrialForm(form_class):
        def clean(self):
            data = super().clean()
            if not data.get("test_address") and not self.has_error("test_address"):
                self.add_error("test_address", "Give the address to test the credential on.")
            return data

        def is_valid(self) -> bool:
            if super().is_valid():
                address = self.cleaned_data["test_address"]
                found = check_credential(self.save(commit=False), address)
                report_check(request, f"Not saved; {address}", found)
            return False

    return TrialForm
