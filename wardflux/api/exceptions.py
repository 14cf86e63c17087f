"""API error responses beyond DRF's own."""

from django.db.models import ProtectedError, RestrictedError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """Deleting something still in use (on_delete=PROTECT) is a 409 that names the users."""
    if isinstance(exc, ProtectedError | RestrictedError):
        users = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", [])
        names = sorted({str(o) for o in users})
        shown = ", ".join(names[:10]) + (" ..." if len(names) > 10 else "")
        return Response(
            {"detail": f"Still in use by {len(names)} object(s): {shown}"},
            status=status.HTTP_409_CONFLICT,
        )
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        # ValidationError(["..."]) from a filter backend (e.g. a NUL in ?search=): a bare
        # list names nothing; every other error body is an object.
        response.data = {"detail": " ".join(str(m) for m in response.data)}
    return response
