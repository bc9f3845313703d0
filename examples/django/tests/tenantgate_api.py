"""
The test's own calls to tenantgate's HTTP API for what a Django site does not do itself: sign up
people, create tenants, invite and accept, write and delete relationships (README's tour).
"""

from __future__ import annotations

import itertools
import json
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any

PASSWORD = "a long enough password"

_serial = itertools.count()


@dataclass(frozen=True)
class Person:
    user_id: str
    email: str
    password: str
    # The session from signing up (not the one the Django site will hold).
    token: str


class TenantgateApi:
    def __init__(self, url: str):
        self.url = url

    def call(
        self, method: str, path: str, *, token: str | None = None, body: Any = None
    ) -> tuple[int, dict[str, Any]]:
        headers = {"accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["content-type"] = "application/json"
        if token:
            headers["authorization"] = f"Bearer {token}"
        request = urllib.request.Request(
            self.url + path, data=data, headers=headers, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        return status, (json.loads(raw) if raw.strip() else {})

    def ok(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        status, body = self.call(method, path, **kwargs)
        assert 200 <= status < 300, f"{method} {path} -> {status} {body}"
        return body

    def sign_up(self, name: str) -> Person:
        # Fresh per test: the tenantgate process is shared by the whole session.
        email = f"{name}-{next(_serial)}-{uuid.uuid4().hex[:8]}@example.com"
        body = self.ok("POST", "/v1/auth/signup", body={"email": email, "password": PASSWORD})
        return Person(
            user_id=body["user"]["id"],
            email=email,
            password=PASSWORD,
            token=body["session"]["token"],
        )

    def create_tenant(self, owner: Person, name: str) -> str:
        body = self.ok("POST", "/v1/tenants", token=owner.token, body={"name": name})
        return body["tenant"]["id"]

    def add_member(
        self, owner: Person, tenant_id: str, person: Person, role: str = "member"
    ) -> str:
        """Invites `person` and accepts as them; returns their new account id in the tenant."""
        invitation = self.ok(
            "POST",
            f"/v1/tenants/{tenant_id}/invitations",
            token=owner.token,
            body={"email": person.email, "role": role},
        )["invitation"]
        accepted = self.ok(
            "POST",
            "/v1/invitations/accept",
            token=person.token,
            body={"token": invitation["token"]},
        )
        return accepted["account"]["id"]

    def write(
        self, actor: Person, tenant_id: str, *relationships: str, operation: str = "touch"
    ) -> None:
        self.ok(
            "POST",
            "/v1/relationships",
            token=actor.token,
            body={
                "tenantId": tenant_id,
                "updates": [{"operation": operation, "relationship": r} for r in relationships],
            },
        )

    def sessions(self, person: Person) -> list[dict[str, Any]]:
        return self.ok("GET", "/v1/sessions", token=person.token)["sessions"]
