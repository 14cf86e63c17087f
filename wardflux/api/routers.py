"""The API router: like DRF's DefaultRouter, but its root view declares its roles too."""

from rest_framework import routers

from ..permissions import ALL_ROLES


class RootView(routers.APIRootView):
    """The browsable list of endpoints: any role may read it (anonymous gets 401)."""

    read_roles = ALL_ROLES


class WardRouter(routers.DefaultRouter):
    APIRootView = RootView
