"""The Zabbix API client: zabbix-utils underneath, our errors and paging on top.

zabbix-utils handles the API's version differences for us (tokens from 5.4, `username`
instead of `user` from 5.4/6.0, the `Authorization: Bearer` header from 6.4/7.2, the
unauthenticated `apiinfo.version`); we never build JSON-RPC by hand.
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator

from zabbix_utils import ZabbixAPI
from zabbix_utils.exceptions import APINotSupported, APIRequestError, ProcessingError

__all__ = [
    "ZabbixAccountBlocked",
    "ZabbixApiError",
    "ZabbixAuthError",
    "ZabbixClient",
    "ZabbixError",
    "ZabbixUnreachable",
    "client_for",
    "forget_clients",
]

DEFAULT_PAGE_SIZE = 1000


class ZabbixError(Exception):
    """Anything that went wrong talking to Zabbix; the message is fit to show an operator."""


class ZabbixUnreachable(ZabbixError):
    """No answer: refused, timed out, DNS, TLS, or an HTTP error instead of the API."""


class ZabbixAuthError(ZabbixError):
    """The server refused the credentials (wrong token, user or password)."""


class ZabbixAccountBlocked(ZabbixAuthError):
    """The account exists but may not log in (disabled group, no API/GUI access, blocked)."""


class ZabbixApiError(ZabbixError):
    """The API answered with an error; `server_message` is Zabbix's own text."""

    def __init__(self, message: str, server_message: str = "", code: int | None = None):
        super().__init__(message)
        self.server_message = server_message
        self.code = code


# Zabbix 6.0+ says the same thing for a wrong password and a temporarily blocked account
# ("Incorrect user name or password or account is temporarily blocked."): that stays an
# auth error carrying the server's words. These say the account itself is barred.
BLOCKED_MARKERS = (
    "no permissions for system access",
    "blocked for",
    "account is disabled",
    "no permissions to call",
)
AUTH_MARKERS = (
    "incorrect user name or password",
    "not authorized",
    "not authorised",
    "session terminated",
    "api token expired",
    "login name or password is incorrect",
)
SESSION_LOST_MARKERS = ("session terminated", "not authorized", "not authorised")


def map_error(exc: Exception, url: str) -> ZabbixError:
    """Our error for anything zabbix-utils or the network raised."""
    if isinstance(exc, ZabbixError):
        return exc
    if isinstance(exc, APIRequestError):
        server_message = " ".join(
            str(p) for p in (getattr(exc, "message", ""), getattr(exc, "data", "")) if p
        ) or str(exc)
        lowered = server_message.lower()
        if any(m in lowered for m in BLOCKED_MARKERS):
            return ZabbixAccountBlocked(f"account blocked: {server_message}")
        if any(m in lowered for m in AUTH_MARKERS):
            return ZabbixAuthError(f"bad credentials: {server_message}")
        return ZabbixApiError(
            f"Zabbix API error: {server_message}", server_message, getattr(exc, "code", None)
        )
    if isinstance(exc, ProcessingError) and "parse json" in str(exc):
        return ZabbixUnreachable(f"{url} answered, but not as a Zabbix API: {exc}")
    if isinstance(exc, ProcessingError | OSError | http.client.HTTPException):
        return ZabbixUnreachable(f"{url} unreachable: {exc}")
    if isinstance(exc, APINotSupported):
        return ZabbixApiError(f"not supported: {exc}", str(exc))
    return ZabbixApiError(f"{type(exc).__name__}: {exc}", str(exc))


class ZabbixClient:
    """One logged-in API session. Connects lazily; re-logs in once if the session expired."""

    def __init__(
        self,
        url: str,
        *,
        token: str = "",
        username: str = "",
        password: str = "",
        verify_tls: bool = True,
        timeout: float = 10,
    ) -> None:
        self.url = url
        self._token, self._username, self._password = token, username, password
        self.verify_tls = verify_tls
        self.timeout = timeout
        self._api: ZabbixAPI | None = None
        self._lock = threading.Lock()

    @classmethod
    def for_server(cls, server) -> ZabbixClient:
        return cls(
            server.url,
            token=server.api_token,
            username=server.username,
            password=server.password,
            verify_tls=server.verify_tls,
            timeout=server.timeout,
        )

    def connect(self) -> ZabbixClient:
        with self._lock:
            if self._api is None:
                self._api = self._login()
        return self

    def _new_api(self) -> ZabbixAPI:
        # skip_version_check: run against versions newer than zabbix-utils was tested on.
        return ZabbixAPI(
            url=self.url,
            validate_certs=self.verify_tls,
            timeout=self.timeout,
            skip_version_check=True,
        )

    def _login(self) -> ZabbixAPI:
        try:
            api = self._new_api()
            if self._token:
                api.login(token=self._token)
                # A token login sends nothing: prove the token with one cheap call.
                api.send_api_request("user.get", {"output": ["userid"], "limit": 1})
            else:
                api.login(user=self._username, password=self._password)
        except Exception as exc:
            raise map_error(exc, self.url) from exc
        return api

    @property
    def version(self) -> str:
        """The server's API version, e.g. "6.0.14" (asked without authentication)."""
        if self._api is not None:
            return str(self._api.version)
        try:
            api = self._new_api()
            return str(api.version)
        except Exception as exc:
            raise map_error(exc, self.url) from exc

    def call(self, method: str, params: dict | list | None = None):
        """One API call; the result, or our error with the server's message."""
        self.connect()
        for attempt in (1, 2):
            try:
                return self._api.send_api_request(method, params or {})["result"]
            except Exception as exc:
                error = map_error(exc, self.url)
                lost = isinstance(error, ZabbixAuthError) and any(
                    m in str(error).lower() for m in SESSION_LOST_MARKERS
                )
                if attempt == 1 and lost and not self._token:
                    self._api = self._login()  # the session expired: log in again, once
                    continue
                raise error from exc

    def get(self, obj: str, params: dict) -> list[dict]:
        return self.call(f"{obj}.get", params)

    def iter_by_ids(
        self, obj: str, id_field: str, params: dict, page_size: int = DEFAULT_PAGE_SIZE
    ) -> Iterator[list[dict]]:
        """Pages of `obj.get`: ids first (small), then the objects in id ranges of page_size.

        The API has no offset; asking for objects by explicit id lists keeps each answer
        bounded and the pages disjoint, whatever changes between the calls.
        """
        ids_params = {**params, "output": [id_field], "sortfield": id_field}
        ids_params.pop("selectInterfaces", None)
        ids_params.pop("selectHostGroups", None)
        ids_params.pop("selectGroups", None)
        ids = [row[id_field] for row in self.get(obj, ids_params)]
        for start in range(0, len(ids), page_size):
            chunk = ids[start : start + page_size]
            yield self.get(obj, {**params, f"{id_field}s": chunk, "sortfield": id_field})

    def iter_history(
        self,
        itemids: list[str],
        value_type: int,
        time_from: int,
        time_till: int,
        page_size: int = DEFAULT_PAGE_SIZE * 10,
    ) -> Iterator[list[dict]]:
        """Pages of history.get in [time_from, time_till], oldest first, never the whole range.

        A full page ends at its last clock; values at that second are refetched by the next
        page, so pages never split a second (clocks are whole seconds in the API).
        """
        base = {
            "history": value_type,
            "itemids": itemids,
            "sortfield": "clock",
            "sortorder": "ASC",
            "output": ["itemid", "clock", "ns", "value"],
        }
        start = time_from
        for _ in range(1_000_000):  # bounded: each pass advances start by at least 1 s
            if start > time_till:
                return
            rows = self.get(
                "history", {**base, "time_from": start, "time_till": time_till, "limit": page_size}
            )
            if len(rows) < page_size:
                if rows:
                    yield rows
                return
            last_clock = int(rows[-1]["clock"])
            if int(rows[0]["clock"]) == last_clock:
                # One second holds a whole page: fetch that second unlimited.
                yield self.get(
                    "history", {**base, "time_from": last_clock, "time_till": last_clock}
                )
                start = last_clock + 1
                continue
            yield [r for r in rows if int(r["clock"]) < last_clock]
            start = last_clock

    def logout(self) -> None:
        if self._api is not None and not self._token:
            try:
                self._api.logout()
            except Exception:  # noqa: S110 - the session dies with the server anyway
                pass
        self._api = None


# One client per server per worker process, replaced when the server row changes.
_clients: dict[int, tuple[object, ZabbixClient]] = {}
_clients_lock = threading.Lock()


def client_for(server) -> ZabbixClient:
    key = server.updated
    with _clients_lock:
        cached = _clients.get(server.pk)
        if cached and cached[0] == key:
            return cached[1]
        client = ZabbixClient.for_server(server)
        _clients[server.pk] = (key, client)
        return client


def forget_clients() -> None:
    with _clients_lock:
        _clients.clear()
