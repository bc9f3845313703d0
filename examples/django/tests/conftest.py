"""
Fixtures: one real tenantgate for the session (fresh people, tenants and project ids per test),
the Django site pointed at it, and the seed's world built through tenantgate's HTTP API.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.test import Client

from projects.models import Project

from .tenantgate_api import Person, TenantgateApi
from .tenantgate_server import TenantgateServer, start_tenantgate


@pytest.fixture(scope="session")
def tenantgate() -> Iterator[TenantgateServer]:
    # TRUST_PROXY: the site forwards the browser's address when it signs someone in.
    server = start_tenantgate(TRUST_PROXY="true")
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def api(tenantgate: TenantgateServer, settings) -> TenantgateApi:
    """tenantgate's API for the test, with the Django site pointed at the same tenantgate."""
    settings.TENANTGATE_URL = tenantgate.url
    return TenantgateApi(tenantgate.url)


@dataclass(frozen=True)
class World:
    """The seed's scenario: Bob edits in tenant A and is a plain member of tenant B."""

    bob: Person
    ann: Person  # owner of A
    carol: Person  # owner of B
    tenant_a: str
    tenant_b: str
    bob_in_a: str  # Bob's account ids, one per tenant
    bob_in_b: str
    a_edit: Project  # in A, Bob is its editor
    a_other: Project  # in A, no grant for Bob
    b_view: Project  # in B, Bob is its viewer
    b_other: Project  # in B, no grant for Bob

    @property
    def projects(self) -> dict[str, Project]:
        return {
            "a_edit": self.a_edit,
            "a_other": self.a_other,
            "b_view": self.b_view,
            "b_other": self.b_other,
        }


def build_world(api: TenantgateApi) -> World:
    """People, tenants, memberships and grants through tenantgate; project rows in Django."""
    ann, carol, bob = api.sign_up("ann"), api.sign_up("carol"), api.sign_up("bob")
    tenant_a = api.create_tenant(ann, "Acme")
    tenant_b = api.create_tenant(carol, "Beta")
    bob_in_a = api.add_member(ann, tenant_a, bob)
    bob_in_b = api.add_member(carol, tenant_b, bob)
    a_edit, a_other, b_view, b_other = (
        Project.objects.create(title=title)
        for title in ("Acme launch", "Acme budget", "Beta roadmap", "Beta payroll")
    )
    api.write(
        ann,
        tenant_a,
        f"project:{a_edit.pk}#tenant@tenant:{tenant_a}",
        f"project:{a_other.pk}#tenant@tenant:{tenant_a}",
        f"project:{a_edit.pk}#editor@account:{bob_in_a}",
    )
    api.write(
        carol,
        tenant_b,
        f"project:{b_view.pk}#tenant@tenant:{tenant_b}",
        f"project:{b_other.pk}#tenant@tenant:{tenant_b}",
        f"project:{b_view.pk}#viewer@account:{bob_in_b}",
    )
    return World(
        bob, ann, carol, tenant_a, tenant_b, bob_in_a, bob_in_b, a_edit, a_other, b_view, b_other
    )


@pytest.fixture
def world(api: TenantgateApi, db: None) -> World:
    return build_world(api)


# --- driving the Django site, as a browser would -------------------------------------------


def sign_in(client: Client, person: Person) -> None:
    response = client.post("/auth/login/", {"email": person.email, "password": person.password})
    assert response.status_code == 302, response.content


def switch_tenant(client: Client, tenant_id: str) -> None:
    response = client.post("/auth/switch-tenant/", {"tenant_id": tenant_id, "next": "/projects/"})
    assert response.status_code == 302, response.content


def listed(client: Client) -> set[str]:
    """The project ids the list page shows."""
    response = client.get("/projects/")
    assert response.status_code == 200, response.content
    return set(re.findall(r'data-project="([^"]+)"', response.content.decode()))


def may(client: Client, project: Project) -> dict[str, bool]:
    """What the site lets the signed-in user do with `project`: view and edit, from real pages."""
    view = client.get(f"/projects/{project.pk}/").status_code
    edit = client.get(f"/projects/{project.pk}/edit/").status_code
    assert view in (200, 403) and edit in (200, 403), (view, edit)
    return {"view": view == 200, "edit": edit == 200}


def active_tenant_shown(client: Client) -> str:
    match = re.search(r'id="active-tenant">([^<]*)<', client.get("/projects/").content.decode())
    assert match, "the page shows no active tenant"
    return match.group(1)
