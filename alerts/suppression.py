"""Why a firing alert must not be sent right now, if it must not."""

from datetime import datetime

from monitoring.choices import DeviceStatus
from monitoring.models import Device

from .choices import SuppressedReason
from .maintenance import covering_windows


def is_parent_down(device: Device) -> bool:
    if not device.parent_id:
        return False
    return Device.objects.filter(pk=device.parent_id, status=DeviceStatus.DOWN).exists()


def suppression_reason(device: Device, at: datetime, flapping: bool = False) -> str:
    """The strongest reason ('' when none): a down parent explains the problem best."""
    if is_parent_down(device):
        return SuppressedReason.PARENT_DOWN
    if covering_windows(device, at):
        return SuppressedReason.MAINTENANCE
    if flapping:
        return SuppressedReason.FLAPPING
    return ""
