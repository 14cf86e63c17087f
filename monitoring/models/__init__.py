from .availability import AvailabilityEvent
from .credentials import SNMPCredential
from .devices import Device, Tag
from .interfaces import DeviceInterface, IfStatus
from .profiles import MonitoringProfile
from .templates import MonitoringItem, MonitoringTemplate, TemplateItem

__all__ = [
    "AvailabilityEvent",
    "Device",
    "DeviceInterface",
    "IfStatus",
    "MonitoringItem",
    "MonitoringProfile",
    "MonitoringTemplate",
    "SNMPCredential",
    "Tag",
    "TemplateItem",
]
