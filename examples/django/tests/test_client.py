"""
The Python client against a real tenantgate: the three questions, problems surfaced with their
code, and every transport failure raised as TenantgateUnavailable (which callers turn into deny).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from tenantgate_django.client import TenantgateClient, TenantgateProblem, TenantgateUnavailable

from .conftest import World


@pytest.fixture
def bob_in_a(world: World, api) -> tuple[TenantgateClient, str]:
    """A client and a fresh session of Bob's whose active tenant is A."""
    client = TenantgateClient(api.url)
    token = client.login(world.bob.email, world.bob.password).token
    client.switch_active_tenant(token, world.tenant_a)
    return client, token


def test_check_answers_for_the_active_account_or_a_named_tenant(
    bob_in_a: tuple[TenantgateClient, str], world: World
) -> None:
    client, token = bob_in_a
    a_edit, a_other, b_view = (
        f"project:{p.pk}" for p in (world.a_edit, world.a_other, world.b_view)
    )

    granted = client.check(token, a_edit, "edit")
    assert granted.allowed and granted.subject == f"account:{world.bob_in_a}"
    assert not client.check(token, a_other, "edit").allowed
    # B's project from A's account: no; from his account in B, named for this one question: yes.
    assert not client.check(token, b_view, "view").allowed
    in_b = client.check(token, b_view, "view", tenant_id=world.tenant_b)
    assert in_b.allowed and in_b.subject == f"account:{world.bob_in_b}"


def test_check_bulk_answers_in_order(bob_in_a: tuple[TenantgateClient, str], world: World) -> None:
    client, token = bob_in_a
    items = [
        (f"project:{world.a_other.pk}", "view"),
        (f"project:{world.a_edit.pk}", "edit"),
        (f"project:{world.b_view.pk}", "view"),
        (f"project:{world.a_edit.pk}", "view"),
    ]

    results = client.check_bulk(token, items)

    assert [(r.resource, r.permission, r.allowed) for r in results] == [
        (resource, permission, allowed)
        for (resource, permission), allowed in zip(items, [False, True, False, True])
    ]


def test_lookup_resources_finds_only_the_active_tenants_grants(
    bob_in_a: tuple[TenantgateClient, str], world: World
) -> None:
    client, token = bob_in_a

    assert client.lookup_resources(token, "project", "view").resources == (world.a_edit.pk,)
    in_b = client.lookup_resources(token, "project", "view", tenant_id=world.tenant_b)
    assert in_b.resources == (world.b_view.pk,)


def test_a_bad_request_surfaces_as_a_problem_with_its_code_and_field(
    bob_in_a: tuple[TenantgateClient, str], world: World
) -> None:
    client, token = bob_in_a

    with pytest.raises(TenantgateProblem) as raised:
        client.check(token, f"project:{world.a_edit.pk}", "Edit!")

    problem = raised.value
    assert (problem.status, problem.code, problem.field) == (400, "invalid_request", "permission")
    assert problem.request_id and "permission" in str(problem)


def test_an_ended_session_is_a_401_problem(api, world: World) -> None:
    client = TenantgateClient(api.url)
    token = client.login(world.bob.email, world.bob.password).token
    client.logout(token)

    with pytest.raises(TenantgateProblem) as raised:
        client.check(token, f"project:{world.a_edit.pk}", "edit")

    assert (raised.value.status, raised.value.code) == (401, "invalid_session")


def test_wrong_credentials_are_a_problem_not_an_outage(api, world: World) -> None:
    with pytest.raises(TenantgateProblem) as raised:
        TenantgateClient(api.url).login(world.bob.email, "not his password")

    assert (raised.value.status, raised.value.code) == (401, "invalid_credentials")


@pytest.fixture
def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def silent_peer() -> Iterator[int]:
    """A port that accepts connections (into its backlog) and never answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        yield s.getsockname()[1]


def test_an_unreachable_tenantgate_raises_unavailable(closed_port: int) -> None:
    client = TenantgateClient(f"http://127.0.0.1:{closed_port}")

    with pytest.raises(TenantgateUnavailable) as raised:
        client.check("any.token", "project:p1", "edit")

    assert "/v1/check" in raised.value.reason


def test_a_tenantgate_that_never_answers_times_out_as_unavailable(silent_peer: int) -> None:
    client = TenantgateClient(f"http://127.0.0.1:{silent_peer}", timeout=0.2)

    with pytest.raises(TenantgateUnavailable):
        client.lookup_resources("any.token", "project", "view")
