"""Templates (lists of items) and the items they put on devices."""

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from ..choices import Source, ValueType

__all__ = ["MonitoringItem", "MonitoringTemplate", "TemplateItem"]

oid_validator = RegexValidator(
    r"^\.?\d+(\.\d+)+$", "An OID in dotted numbers, e.g. 1.3.6.1.2.1.1.3.0."
)
key_validator = RegexValidator(
    r"^[A-Za-z_][A-Za-z0-9_.:\[\],-]*$",
    "Letters, digits and _.:[],- only, not starting with a digit.",
)


class ItemFields(models.Model):
    """What a template item and a device item share."""

    name = models.CharField(max_length=200)
    key = models.CharField(max_length=255, validators=[key_validator])
    oid = models.CharField(max_length=255, blank=True, default="", validators=[oid_validator])
    value_type = models.CharField(max_length=14, choices=ValueType.choices, default=ValueType.GAUGE)
    units = models.CharField(max_length=32, blank=True, default="")
    interval = models.PositiveIntegerField(
        default=60,
        help_text="seconds",
        validators=[MinValueValidator(10), MaxValueValidator(86400)],
    )
    enabled = models.BooleanField(default=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.name} [{self.key}]"


class MonitoringTemplate(models.Model):
    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TemplateItem(ItemFields):
    template = models.ForeignKey(MonitoringTemplate, on_delete=models.CASCADE, related_name="items")

    class Meta:
        ordering = ["template", "key"]
        constraints = [
            models.UniqueConstraint(fields=["template", "key"], name="template_item_key_unique")
        ]


class MonitoringItem(ItemFields):
    device = models.ForeignKey("monitoring.Device", on_delete=models.CASCADE, related_name="items")
    template = models.ForeignKey(
        MonitoringTemplate,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="device_items",
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WARDFLUX)
    last_value = models.CharField(max_length=255, blank=True, default="")
    last_clock = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["device", "key"]
        constraints = [
            models.UniqueConstraint(fields=["device", "key"], name="device_item_key_unique")
        ]
