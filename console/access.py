"""Who may open which console page: login first, then the role the page names.

The pages use the same roles as the API (wardflux/roles.py); a logged-in user with no role
gets 403, an anonymous one the login page. Technicians' limits to their own devices are
applied by the querysets (another device is 404), as in the API.
"""

from collections.abc import Callable, Collection
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from wardflux.permissions import ACTING_ROLES, ALL_ROLES
from wardflux.roles import role_of

__all__ = ["ACTING_ROLES", "ALL_ROLES", "console_view", "may_act"]


def console_view(roles: Collection[str] = ALL_ROLES) -> Callable:
    """Decorate a view: login required, then one of `roles`."""

    def decorate(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if role_of(request.user) not in roles:
                raise PermissionDenied("Your role may not open this page.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def may_act(user) -> bool:
    """Acknowledge problems, run diagnostics: admins, managers, technicians (not viewers)."""
    return role_of(user) in ACTING_ROLES
