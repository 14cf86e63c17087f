"""Every API endpoint x every role x every method, judged by one table of rules.

Endpoints come from the OpenAPI schema and the URL resolver, so endpoints that later apps
add are walked too, with nothing to edit here: their views' declared roles decide, under
the rules of the table (anonymous 401, viewers read only, technicians 404 on devices that
are not theirs, ...). Path ids are filled with real objects made by the `world` fixture.
"""

import re
from dataclasses import dataclass

import pytest
from django.db.models import ForeignKey
from django.urls import get_resolver, resolve
from drf_spectacular.generators import SchemaGenerator
from rest_framework.permissions import SAFE_METHODS, AllowAny, IsAuthenticated
from rest_framework.views import APIView

from monitoring.models import Device
from wardflux.permissions import ADMIN_ONLY, RolePermission

ROLES = ["admin", "manager", "technician", "viewer", None]  # None: anonymous
# Open to anyone, anonymous included. The docs page is an HTML shell: the schema it
# loads needs a login like the rest of /api/.
PUBLIC_PATHS = {
    "/api/v1/auth/token/",
    "/api/v1/auth/token/refresh/",
    "/api/v1/auth/token/verify/",
    "/api/v1/health",
    "/api/docs/",
}
HTTP_METHODS = ("get", "post", "put", "patch", "delete")
PARAM = re.compile(r"{(\w+)}")


# --- what the URL conf holds ------------------------------------------------------------------


def _walk(patterns, prefix: str = ""):
    for p in patterns:
        if hasattr(p, "url_patterns"):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern), p.callback


def api_callbacks() -> list[tuple[str, object]]:
    """(route, view callable) for every URL under /api/."""
    return [(r, cb) for r, cb in _walk(get_resolver().url_patterns) if r.startswith("api/")]


def view_methods(callback) -> list[str]:
    actions = getattr(callback, "actions", None)
    if actions:
        return [m for m in HTTP_METHODS if m in actions]
    cls = callback.cls
    return [m for m in HTTP_METHODS if hasattr(cls, m)]


def endpoints() -> list[tuple[str, str]]:
    """(path template, method): the schema's operations, plus parameterless routes it omits."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = {(p, m) for p, ops in schema["paths"].items() for m in ops if m in HTTP_METHODS}
    for route, callback in api_callbacks():
        if "<" in route or "(?P" in route or not hasattr(callback, "cls"):
            continue
        path = "/" + route.replace("^", "").replace("$", "")
        found |= {(path, m) for m in view_methods(callback)}
    return sorted(found)


ENDPOINTS = endpoints()


def permissions_of(callback) -> tuple:
    init = getattr(callback, "initkwargs", None) or getattr(callback, "view_initkwargs", {})
    return tuple(init.get("permission_classes", callback.cls.permission_classes))


def is_open(callback) -> bool:
    perms = permissions_of(callback)
    return perms == () or AllowAny in perms


# --- the rules ----------------------------------------------------------------------------


@dataclass
class Case:
    role: str | None
    method: str
    path: str  # template, e.g. /api/v1/devices/{id}/
    view: type
    action: str | None
    scoped_detail: bool  # the object is (or hangs off) a device not assigned to the technician

    @property
    def safe(self) -> bool:
        return self.method.upper() in SAFE_METHODS

    def declared_allows(self) -> bool:
        """What the view declares, read the way RolePermission reads it."""
        perms = self.view.permission_classes
        if RolePermission not in perms:
            return True  # open or login-only views: checked by is_open / the anonymous rule
        action_roles = getattr(self.view, "action_roles", {})
        if self.action in action_roles:
            return self.role in action_roles[self.action]
        roles = "read_roles" if self.safe else "write_roles"
        return self.role in getattr(self.view, roles, ADMIN_ONLY)


OPEN, ALLOWED = "open", "allowed"
# First match wins.
RULES = [
    ("token endpoints, health and the docs page are open", lambda c: c.path in PUBLIC_PATHS, OPEN),
    ("anonymous gets 401 on every other API path", lambda c: c.role is None, 401),
    ("viewers only read", lambda c: c.role == "viewer" and not c.safe, 403),
    (
        "managers do not write credentials or profiles",
        lambda c: (
            c.role == "manager"
            and not c.safe
            and c.path.startswith(("/api/v1/credentials/", "/api/v1/profiles/"))
            and c.action not in ("test", "test_unsaved")  # trying one reveals no secret
        ),
        403,
    ),
    (
        "only admins see users",
        lambda c: c.role != "admin" and c.path.startswith("/api/v1/users/"),
        403,
    ),
    ("otherwise the view's declared roles decide", lambda c: not c.declared_allows(), 403),
    (
        "technicians: devices not assigned to them (and what hangs off them) are 404",
        lambda c: c.role == "technician" and c.scoped_detail,
        404,
    ),
    ("everything else is allowed", lambda c: True, ALLOWED),
]


def expectation(case: Case) -> tuple[str, object]:
    return next((why, want) for why, applies, want in RULES if applies(case))


def satisfies(status: int, want, method: str) -> bool:
    if want == OPEN:
        # 503 is health reporting a component down (no worker runs in this test): still open.
        return status not in (401, 403) and (status < 500 or status == 503)
    if want == ALLOWED:
        if method == "get":
            return status in (200, 400)  # 400: a query endpoint's required parameters, not sent
        if method == "delete":
            return status in (204, 409)  # 409: still in use (PROTECT)
        # 400: the empty body the matrix sends; 202: a job queued; 502: the action reached its
        # (absent) peer, a Zabbix server or a webhook receiver, so the role check had passed.
        return status in (200, 201, 202, 400, 502)
    return status == want


# --- filling path ids -----------------------------------------------------------------------


def model_of(view) -> type:
    queryset = getattr(view, "queryset", None)
    if queryset is not None:
        return queryset.model
    serializer = getattr(view, "serializer_class", None)
    assert serializer is not None, f"{view.__name__}: declare queryset or serializer_class"
    return serializer.Meta.model


def device_fk(model) -> str | None:
    if model is Device:
        return "pk"
    for f in model._meta.get_fields():
        if isinstance(f, ForeignKey) and f.related_model is Device:
            return f.name
    return None


def object_for(model, other_device: Device):
    """An object of `model`; when it belongs to devices, one on the technician's other device."""
    link = device_fk(model)
    qs = model._default_manager.all()
    if link == "pk":
        qs = qs.filter(pk=other_device.pk)
    elif link:
        qs = qs.filter(**{link: other_device})
    obj = qs.order_by("pk").first()
    assert obj is not None, f"the world fixture has no {model.__name__}: add one"
    return obj


def concrete(path: str, world) -> tuple[str, bool]:
    """The path with ids filled in, and whether the object is device-scoped."""
    params = PARAM.findall(path)
    if not params:
        return path, False
    callback = resolve(PARAM.sub("1", path)).func
    view_model = model_of(callback.cls)
    scoped = False
    for name in params:
        if name in ("id", "pk"):
            model = view_model
        else:
            stem = re.sub(r"_(id|pk)$", "", name).replace("_", "")
            matches = [f.related_model for f in view_model._meta.get_fields() if f.is_relation]
            model = next((m for m in matches if m and m.__name__.lower() == stem), None)
            assert model, f"{path}: no rule to fill {{{name}}}; teach test_role_matrix.concrete"
        obj = object_for(model, world.other_device)
        scoped = scoped or device_fk(model) is not None
        path = path.replace(f"{{{name}}}", str(obj.pk))
    return path, scoped


# --- the tests ----------------------------------------------------------------------------


def test_it_walks_every_endpoint_the_issue_names():
    paths = {p for p, _ in ENDPOINTS}
    for expected in [
        "/api/v1/devices/{id}/",
        "/api/v1/credentials/{id}/",
        "/api/v1/templates/{id}/apply/",
        "/api/v1/items/{id}/",
        "/api/v1/profiles/{id}/",
        "/api/v1/users/",
        "/api/v1/auth/token/",
        "/api/v1/health",
        "/api/v1/",
        "/api/schema/",
    ]:
        assert expected in paths


def test_every_api_view_declares_its_permission():
    """Every DRF view under /api/ names its roles, or says explicitly it is open or login-only."""
    for route, callback in api_callbacks():
        assert hasattr(callback, "cls") and issubclass(callback.cls, APIView), (
            f"{route}: not a DRF view, so no role check applies"
        )
        view, perms = callback.cls, permissions_of(callback)
        declared = any(hasattr(view, a) for a in ("read_roles", "write_roles", "action_roles"))
        if RolePermission in perms:
            assert declared, f"{route}: {view.__name__} declares no read_roles/write_roles"
        else:
            assert is_open(callback) or perms == (IsAuthenticated,), (
                f"{route}: {view.__name__} uses {perms}; use RolePermission with declared roles"
            )


def test_the_open_views_are_exactly_the_public_paths():
    opened = set()
    for route, callback in api_callbacks():
        if hasattr(callback, "cls") and is_open(callback) and "<" not in route:
            opened.add("/" + route.replace("^", "").replace("$", ""))
    assert opened == PUBLIC_PATHS


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
@pytest.mark.parametrize("path,method", ENDPOINTS, ids=[f"{m} {p}" for p, m in ENDPOINTS])
def test_role_matrix(api, world, role, path, method):
    url, scoped = concrete(path, world)
    match = resolve(url.split("?")[0])
    action = (getattr(match.func, "actions", None) or {}).get(method)
    case = Case(role, method, path, match.func.cls, action, scoped)
    why, want = expectation(case)
    response = getattr(api(role), method)(url, {}, format="json")
    assert satisfies(response.status_code, want, method), (
        f"{role or 'anonymous'} {method.upper()} {url}: got {response.status_code}, "
        f"want {want} ({why}); body {response.content[:200]!r}"
    )
    if role is None and want == 401:
        assert "WWW-Authenticate" in response.headers
