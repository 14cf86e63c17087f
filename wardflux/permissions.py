"""Role permissions for the API. Every view names the roles that may read and write.

A view sets `read_roles` and `write_roles` (and `action_roles` for extra actions by
name); RolePermission checks them. Anonymous requests get 401 from the authenticator.
Technicians' object-level limits are applied by the querysets (other devices are 404).
"""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from .roles import Role, role_of

ALL_ROLES = frozenset(Role)
STAFF_ROLES = frozenset({Role.ADMIN, Role.MANAGER})
ADMIN_ONLY = frozenset({Role.ADMIN})
ACTING_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.TECHNICIAN})


class RolePermission(BasePermission):
    """Allow by the view's declared roles; a view that declares none allows admins only."""

    def has_permission(self, request, view) -> bool:
        role = role_of(request.user)
        if role is None:
            return False
        action = getattr(view, "action", None)
        action_roles = getattr(view, "action_roles", {})
        if action in action_roles:
            return role in action_roles[action]
        if request.method in SAFE_METHODS:
            return role in getattr(view, "read_roles", ADMIN_ONLY)
        return role in getattr(view, "write_roles", ADMIN_ONLY)
