"""
The seed's scenario, end to end: a real tenantgate, the Django site driven through Django's
test client (middleware, views, templates, backend), setup through tenantgate's HTTP API.
"""

from __future__ import annotations

from django.test import Client

from projects.models import Project
from tenantgate_django.session_token import SESSION_KEY

from .conftest import World, active_tenant_shown, listed, may, sign_in, switch_tenant
from .tenantgate_api import TenantgateApi

# What Bob may do with each project, by active tenant: the decision table the site must show.
EXPECTED = {
    "Acme": {
        "a_edit": {"view": True, "edit": True},
        "a_other": {"view": False, "edit": False},
        "b_view": {"view": False, "edit": False},
        "b_other": {"view": False, "edit": False},
    },
    "Beta": {
        "a_edit": {"view": False, "edit": False},
        "a_other": {"view": False, "edit": False},
        "b_view": {"view": True, "edit": False},
        "b_other": {"view": False, "edit": False},
    },
}


def observed(client: Client, world: World) -> dict[str, dict[str, bool]]:
    return {name: may(client, project) for name, project in world.projects.items()}


def test_in_tenant_a_bob_edits_his_project_and_sees_only_it(client: Client, world: World) -> None:
    sign_in(client, world.bob)
    switch_tenant(client, world.tenant_a)

    assert active_tenant_shown(client) == "Acme"
    assert observed(client, world) == EXPECTED["Acme"]
    assert listed(client) == {world.a_edit.pk}
    saved = client.post(f"/projects/{world.a_edit.pk}/edit/", {"title": "Acme launch v2"})
    assert saved.status_code == 302
    assert Project.objects.get(pk=world.a_edit.pk).title == "Acme launch v2"


def test_after_switching_to_b_nothing_of_a_shows_through(client: Client, world: World) -> None:
    sign_in(client, world.bob)
    switch_tenant(client, world.tenant_a)
    assert may(client, world.a_edit) == {"view": True, "edit": True}

    switch_tenant(client, world.tenant_b)

    assert active_tenant_shown(client) == "Beta"
    assert observed(client, world) == EXPECTED["Beta"]
    assert listed(client) == {world.b_view.pk}
    # The write itself is refused too, not just the form: has_perm("edit", a_edit) is False.
    refused = client.post(f"/projects/{world.a_edit.pk}/edit/", {"title": "leaked"})
    assert refused.status_code == 403
    refused_b = client.post(f"/projects/{world.b_other.pk}/edit/", {"title": "leaked"})
    assert refused_b.status_code == 403
    assert Project.objects.get(pk=world.a_edit.pk).title == "Acme launch"
    assert Project.objects.get(pk=world.b_other.pk).title == "Beta payroll"


def test_switching_back_needs_no_new_sign_in(
    client: Client, world: World, api: TenantgateApi
) -> None:
    sign_in(client, world.bob)
    token = client.session[SESSION_KEY]
    sessions = {s["id"] for s in api.sessions(world.bob)}
    switch_tenant(client, world.tenant_b)
    assert may(client, world.a_edit) == {"view": False, "edit": False}

    switch_tenant(client, world.tenant_a)

    assert observed(client, world) == EXPECTED["Acme"]
    # Same tenantgate session before and after; no sign-in made another.
    assert client.session[SESSION_KEY] == token
    assert {s["id"] for s in api.sessions(world.bob)} == sessions


def test_a_revoked_grant_is_denied_on_the_next_request(
    client: Client, world: World, api: TenantgateApi
) -> None:
    sign_in(client, world.bob)
    switch_tenant(client, world.tenant_a)
    assert may(client, world.a_edit) == {"view": True, "edit": True}

    api.write(
        world.ann,
        world.tenant_a,
        f"project:{world.a_edit.pk}#editor@account:{world.bob_in_a}",
        operation="delete",
    )

    assert may(client, world.a_edit) == {"view": False, "edit": False}
    assert listed(client) == set()
    assert client.post(f"/projects/{world.a_edit.pk}/edit/", {"title": "late"}).status_code == 403


def test_switching_to_a_tenant_without_membership_is_refused(
    client: Client, world: World, api: TenantgateApi
) -> None:
    dave = api.sign_up("dave")
    tenant_d = api.create_tenant(dave, "Delta")
    sign_in(client, world.bob)
    switch_tenant(client, world.tenant_a)

    refused = client.post("/auth/switch-tenant/", {"tenant_id": tenant_d})

    assert refused.status_code == 403
    assert b"not_a_member" in refused.content
    assert active_tenant_shown(client) == "Acme"
    assert may(client, world.a_edit) == {"view": True, "edit": True}
