"""Why a firing alert must not be sent right now, if it must not.

One Suppressor serves a whole evaluation run: parents' status and the maintenance
windows are read once, however many alerts fire in the batch.
"""

from datetime import datetime, timedelta

from django.db.models import Q

from monitoring.choices import DeviceStatus
from monitoring.models import Device

from .choices import Recurrence, SuppressedReason
from .maintenance import window_covers


class Suppressor:
    def __init__(self) -> None:
        self._parent_down: dict[int, bool] = {}
        self._windows: list | None = None

    def reason(
        self, device_id: int, site: str, parent_id: int | None, at: datetime, flapping=False
    ) -> str:
        """The strongest reason ('' when none): a down parent explains the problem best."""
        if parent_id and self.is_down(parent_id):
            return SuppressedReason.PARENT_DOWN
        if self.in_maintenance(device_id, site, at):
            return SuppressedReason.MAINTENANCE
        if flapping:
            return SuppressedReason.FLAPPING
        return ""

    def load_parents(self, device_ids: set[int]) -> None:
        """Read the status of many parents in one query (is_down then asks no more)."""
        unknown = device_ids - self._parent_down.keys()
        if not unknown:
            return
        down = set(
            Device.objects.filter(pk__in=unknown, status=DeviceStatus.DOWN).values_list(
                "pk", flat=True
            )
        )
        self._parent_down.update({pk: pk in down for pk in unknown})

    def is_down(self, device_id: int) -> bool:
        if device_id not in self._parent_down:
            self._parent_down[device_id] = Device.objects.filter(
                pk=device_id, status=DeviceStatus.DOWN
            ).exists()
        return self._parent_down[device_id]

    def in_maintenance(self, device_id: int, site: str, at: datetime) -> bool:
        for window, device_ids in self._load_windows(at):
            covers = device_id in device_ids or (site and site in (window.sites or []))
            if covers and window_covers(window.start, window.end, window.recurrence,
                                        window.until, at):  # fmt: skip
                return True
        return False

    def _load_windows(self, at: datetime) -> list:
        if self._windows is None:
            from .models import MaintenanceWindow

            # devices: every window's device ids are checked for each alert of the run.
            recent = Q(recurrence=Recurrence.WEEKLY) | Q(end__gt=at - timedelta(days=1))
            windows = MaintenanceWindow.objects.filter(recent).prefetch_related("devices")
            self._windows = [(w, {d.pk for d in w.devices.all()}) for w in windows]
        return self._windows


def suppression_reason(device: Device, at: datetime, flapping: bool = False) -> str:
    return Suppressor().reason(device.pk, device.site, device.parent_id, at, flapping)
