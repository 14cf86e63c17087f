"""The monitoring profile: which mode the whole installation runs in."""

from django.db import models, transaction
from django.db.models import Q

from ..choices import ProfileMode

__all__ = ["MonitoringProfile"]


class MonitoringProfile(models.Model):
    name = models.CharField(max_length=100, unique=True)
    mode = models.CharField(
        max_length=10, choices=ProfileMode.choices, default=ProfileMode.STANDALONE
    )
    is_active = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="one_active_profile"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.mode})"

    def save(self, *args, **kwargs) -> None:
        # Activating one profile deactivates the others in the same transaction.
        with transaction.atomic():
            if self.is_active:
                MonitoringProfile.objects.filter(is_active=True).exclude(pk=self.pk).update(
                    is_active=False
                )
            super().save(*args, **kwargs)

    @classmethod
    def current_mode(cls) -> str:
        active = cls.objects.filter(is_active=True).values_list("mode", flat=True).first()
        return active or ProfileMode.STANDALONE
