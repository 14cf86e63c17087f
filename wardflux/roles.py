"""RBAC roles. Each role is a Django group created by a migration.

admin      everything
manager    read all; write devices, templates, items, alert rules; diagnostics, discovery
technician read and act (acknowledge, diagnostics, poll) on the devices assigned to them
viewer     read only
"""

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    MANAGER = "manager", "Manager"
    TECHNICIAN = "technician", "Technician"
    VIEWER = "viewer", "Viewer"


# Strongest first: a user in several groups gets the strongest.
ROLE_ORDER = [Role.ADMIN, Role.MANAGER, Role.TECHNICIAN, Role.VIEWER]


def role_of(user) -> str | None:
    """The user's strongest role, or None. Superusers are admins."""
    if not user or not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.ADMIN
    cached = getattr(user, "_wardflux_role", "unset")
    if cached != "unset":
        return cached
    names = set(user.groups.values_list("name", flat=True))
    role = next((r for r in ROLE_ORDER if r.value in names), None)
    user._wardflux_role = role
    return role


def is_technician(user) -> bool:
    return role_of(user) == Role.TECHNICIAN
