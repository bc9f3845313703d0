"""
A small client for tenantgate's HTTP API: the check questions (`check`, `check_bulk`,
`lookup_resources`) and the session calls a Django site needs (sign in and out, read the session,
switch the active tenant).

It speaks plain HTTP with the standard library's urllib rather than `requests`: the client is a
few calls with JSON bodies, so one more dependency (and its own dependencies) would buy nothing
but connection reuse, and a module without third-party imports can be copied into any project.
The cost is a new TCP connection per call; put tenantgate next to the Django servers.

Every call either returns a parsed answer or raises one of two errors, and the callers in this
package turn both into a deny:
- `TenantgateProblem`: tenantgate answered with a 4xx application/problem+json; its `code` says
  why (`invalid_session`, `not_a_member`, `invalid_request`, ...).
- `TenantgateUnavailable`: no usable answer at all (refused connection, timeout, a 5xx, a body
  that is not the JSON we expect).

Answers are read leniently: fields this client does not know are ignored, so tenantgate can add
fields without breaking it. A decision is `allowed` only if tenantgate said `"allowed": true`.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence


class TenantgateError(Exception):
    """Anything that kept a tenantgate call from giving an answer."""


class TenantgateUnavailable(TenantgateError):
    """tenantgate could not be reached, timed out, failed (5xx) or answered nonsense."""

    def __init__(self, reason: str, *, status: int | None = None, code: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.code = code


class TenantgateProblem(TenantgateError):
    """A 4xx problem answer (RFC 9457): tenantgate understood the call and refused it."""

    def __init__(self, status: int, problem: Mapping[str, Any]):
        self.status = status
        self.problem = dict(problem)
        self.code: str = str(problem.get("code") or "error")
        self.detail: str = str(problem.get("detail") or problem.get("title") or "")
        self.field: str | None = _optional_str(problem.get("field"))
        self.request_id: str | None = _optional_str(problem.get("requestId"))
        where = f", field {self.field}" if self.field else ""
        request = f", request {self.request_id}" if self.request_id else ""
        super().__init__(f"tenantgate {status} {self.code}: {self.detail}{where}{request}")


@dataclass(frozen=True)
class SignedIn:
    """A new tenantgate session: the token is the credential for every later call."""

    token: str
    user_id: str
    email: str


@dataclass(frozen=True)
class ActiveAccount:
    id: str
    tenant_id: str


@dataclass(frozen=True)
class Account:
    """One of the user's accounts: their identity in one tenant."""

    id: str
    tenant_id: str
    tenant_name: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class SessionView:
    """What `GET /v1/session` says: who is signed in, the active account, all their accounts."""

    user_id: str
    email: str
    active_account: ActiveAccount | None
    accounts: tuple[Account, ...]

    @property
    def active_tenant(self) -> Account | None:
        """The account the session acts as, with its tenant's name and roles (None if no tenant)."""
        if self.active_account is None:
            return None
        return next((a for a in self.accounts if a.id == self.active_account.id), None)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    permissionship: str
    subject: str


@dataclass(frozen=True)
class ItemDecision:
    resource: str
    permission: str
    allowed: bool
    permissionship: str


@dataclass(frozen=True)
class LookupResult:
    """Object ids (not `type:id`) the subject holds the permission on."""

    resources: tuple[str, ...]
    # Ids the permission depends on caveat context that was not given: not granted.
    conditional: tuple[str, ...] = field(default=())


class TenantgateClient:
    """Calls tenantgate as the end user: every method takes the user's session token."""

    def __init__(self, base_url: str, *, timeout: float = 2.0):
        self.base_url = base_url.rstrip("/")
        # Seconds for the connection and for each read; a hung tenantgate becomes a deny this fast.
        self.timeout = timeout

    # --- sessions -------------------------------------------------------------------------

    def login(
        self,
        email: str,
        password: str,
        *,
        client_ip: str | None = None,
        user_agent: str | None = None,
    ) -> SignedIn:
        """
        `POST /v1/auth/login`. `client_ip` and `user_agent` describe the browser behind this
        call: tenantgate records them on the session and, with TRUST_PROXY=true, rate-limits by
        the forwarded address instead of this server's.
        """
        headers: dict[str, str] = {}
        if client_ip:
            headers["x-forwarded-for"] = client_ip
        if user_agent:
            headers["user-agent"] = user_agent
        body = self._call(
            "POST", "/v1/auth/login", None, {"email": email, "password": password}, headers
        )
        user = _mapping(body.get("user"))
        return SignedIn(
            token=_required_str(_mapping(body.get("session")), "token"),
            user_id=_required_str(user, "id"),
            email=_required_str(user, "email"),
        )

    def logout(self, token: str) -> None:
        """`POST /v1/auth/logout`: ends this session at tenantgate."""
        self._call("POST", "/v1/auth/logout", token, None)

    def session(self, token: str) -> SessionView:
        """`GET /v1/session`."""
        body = self._call("GET", "/v1/session", token, None)
        user = _mapping(body.get("user"))
        active = body.get("activeAccount")
        accounts = []
        for raw in body.get("accounts") or []:
            account = _mapping(raw)
            tenant = _mapping(account.get("tenant"))
            accounts.append(
                Account(
                    id=_required_str(account, "id"),
                    tenant_id=_required_str(tenant, "id"),
                    tenant_name=str(tenant.get("name") or ""),
                    roles=tuple(str(r) for r in account.get("roles") or []),
                )
            )
        return SessionView(
            user_id=_required_str(user, "id"),
            email=_required_str(user, "email"),
            active_account=_active_account(active) if active is not None else None,
            accounts=tuple(accounts),
        )

    def switch_active_tenant(self, token: str, tenant_id: str) -> ActiveAccount:
        """`PUT /v1/session/active-tenant`: no new sign-in; 403 `not_a_member` if not allowed."""
        body = self._call("PUT", "/v1/session/active-tenant", token, {"tenantId": tenant_id})
        return _active_account(body.get("activeAccount"))

    # --- questions ------------------------------------------------------------------------

    def check(
        self,
        token: str,
        resource: str,
        permission: str,
        *,
        tenant_id: str | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> Decision:
        """
        `POST /v1/check`: may the session's active account (or, with `tenant_id`, the user's
        account in that tenant) do `permission` on `resource` (`type:id`)?
        """
        payload: dict[str, Any] = {"resource": resource, "permission": permission}
        if tenant_id:
            payload["tenantId"] = tenant_id
        if context:
            payload["context"] = dict(context)
        body = self._call("POST", "/v1/check", token, payload)
        return Decision(
            allowed=body.get("allowed") is True,
            permissionship=str(body.get("permissionship") or "no_permission"),
            subject=str(body.get("subject") or ""),
        )

    def check_bulk(
        self,
        token: str,
        items: Sequence[tuple[str, str]],
        *,
        tenant_id: str | None = None,
    ) -> list[ItemDecision]:
        """`POST /v1/check/bulk`: (resource, permission) pairs, answered in the same order."""
        if not items:
            return []
        payload: dict[str, Any] = {
            "items": [{"resource": r, "permission": p} for r, p in items],
        }
        if tenant_id:
            payload["tenantId"] = tenant_id
        body = self._call("POST", "/v1/check/bulk", token, payload)
        results = body.get("results")
        if not isinstance(results, list) or len(results) != len(items):
            raise TenantgateUnavailable("bulk check answered a different number of results")
        decisions = []
        for (resource, permission), raw in zip(items, results):
            result = _mapping(raw)
            decisions.append(
                ItemDecision(
                    resource=resource,
                    permission=permission,
                    allowed=result.get("allowed") is True,
                    permissionship=str(result.get("permissionship") or "no_permission"),
                )
            )
        return decisions

    def lookup_resources(
        self,
        token: str,
        resource_type: str,
        permission: str,
        *,
        tenant_id: str | None = None,
    ) -> LookupResult:
        """`POST /v1/lookup/resources`: the ids of `resource_type` the account may `permission`."""
        payload: dict[str, Any] = {"resourceType": resource_type, "permission": permission}
        if tenant_id:
            payload["tenantId"] = tenant_id
        body = self._call("POST", "/v1/lookup/resources", token, payload)
        return LookupResult(
            resources=tuple(str(r) for r in body.get("resources") or []),
            conditional=tuple(str(r) for r in body.get("conditional") or []),
        )

    # --- transport ------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        token: str | None,
        payload: Mapping[str, Any] | None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        headers = {"accept": "application/json", **(extra_headers or {})}
        data = None
        if payload is not None:
            data = json.dumps(payload).encode()
            headers["content-type"] = "application/json"
        if token:
            # A bearer token, never the cookie: tenantgate's CSRF protection applies to cookie
            # requests only, and a server-to-server call has no browser origin to show.
            headers["authorization"] = f"Bearer {token}"
        request = urllib.request.Request(
            self.base_url + path, data=data, headers=headers, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            # URLError wraps refused connections and timeouts while connecting; a timeout while
            # reading arrives as TimeoutError (an OSError); a dropped connection as HTTPException.
            reason = getattr(error, "reason", None) or error
            raise TenantgateUnavailable(f"{method} {path}: {reason}") from error

        body = _json_object(raw)
        if 200 <= status < 300:
            if body is None:
                if not raw.strip():
                    return {}
                raise TenantgateUnavailable(f"{method} {path}: answer is not a JSON object")
            return body
        if 400 <= status < 500 and body is not None:
            raise TenantgateProblem(status, body)
        code = str(body.get("code")) if body and body.get("code") else None
        raise TenantgateUnavailable(f"{method} {path}: HTTP {status}", status=status, code=code)


def _json_object(raw: bytes) -> dict[str, Any] | None:
    try:
        parsed = json.loads(raw) if raw.strip() else None
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _mapping(value: object) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise TenantgateUnavailable("answer is missing an object it should have")
    return value


def _required_str(value: Mapping[str, Any], key: str) -> str:
    found = value.get(key)
    if not isinstance(found, str) or not found:
        raise TenantgateUnavailable(f"answer is missing {key!r}")
    return found


def _optional_str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _active_account(value: object) -> ActiveAccount:
    account = _mapping(value)
    return ActiveAccount(
        id=_required_str(account, "id"), tenant_id=_required_str(account, "tenantId")
    )
