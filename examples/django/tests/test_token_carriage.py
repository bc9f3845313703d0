"""
How the tenantgate session reaches Django and stays in step with tenantgate: the sign-in view,
tenantgate's own cookie, sign-out on either side.
"""

from __future__ import annotations

from django.test import Client

from tenantgate_django.session_token import SESSION_KEY

from .conftest import World, listed, sign_in
from .tenantgate_api import TenantgateApi


def signed_in(client: Client) -> bool:
    """Whether the site treats the client as signed in (it redirects anonymous users)."""
    return client.get("/projects/").status_code == 200


def test_wrong_password_signs_nobody_in(client: Client, world: World) -> None:
    response = client.post("/auth/login/", {"email": world.bob.email, "password": "not his"})

    assert response.status_code == 401
    assert b"Wrong email or password" in response.content
    assert not signed_in(client)


def test_sign_in_keeps_the_token_and_forwards_the_browser(
    client: Client, world: World, api: TenantgateApi
) -> None:
    response = client.post(
        "/auth/login/",
        {"email": world.bob.email, "password": world.bob.password},
        REMOTE_ADDR="203.0.113.7",
        HTTP_USER_AGENT="ExampleBrowser/1.0",
    )

    assert response.status_code == 302
    token = client.session[SESSION_KEY]
    session_id = token.split(".")[0]
    mine = [s for s in api.sessions(world.bob) if s["id"] == session_id]
    assert mine and mine[0]["ip"] == "203.0.113.7"
    assert mine[0]["userAgent"] == "ExampleBrowser/1.0"
    # The Django user stands for the tenantgate user.
    assert client.get("/projects/").wsgi_request.user.get_username() == world.bob.user_id


def test_tenantgate_cookie_alone_signs_the_user_in(client: Client, world: World) -> None:
    # Bob's sign-up session: accepting B's invitation last made B his active tenant.
    client.cookies["tenantgate_session"] = world.bob.token

    response = client.get("/projects/")

    assert response.status_code == 200
    assert response.wsgi_request.user.get_username() == world.bob.user_id
    assert response.wsgi_request.tenant.tenant_id == world.tenant_b
    assert listed(client) == {world.b_view.pk}
    assert client.session[SESSION_KEY] == world.bob.token


def test_an_unknown_tenantgate_cookie_is_anonymous(client: Client, world: World) -> None:
    client.cookies["tenantgate_session"] = "nobody.nothing"

    response = client.get("/projects/")

    assert response.status_code == 302
    assert response["Location"].startswith("/auth/login/")
    assert response.wsgi_request.tenant is None


def test_signing_out_everywhere_in_tenantgate_signs_out_of_django(
    client: Client, world: World, api: TenantgateApi
) -> None:
    sign_in(client, world.bob)
    assert signed_in(client)

    api.ok("DELETE", "/v1/sessions", token=world.bob.token)

    assert not signed_in(client)
    assert SESSION_KEY not in client.session


def test_signing_out_of_django_ends_the_tenantgate_session(
    client: Client, world: World, api: TenantgateApi
) -> None:
    sign_in(client, world.bob)
    token = client.session[SESSION_KEY]

    response = client.post("/auth/logout/")

    assert response.status_code == 302
    assert not signed_in(client)
    status, problem = api.call("GET", "/v1/session", token=token)
    assert status == 401 and problem["code"] == "invalid_session"
