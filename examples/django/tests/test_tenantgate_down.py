"""tenantgate down: every decision is a deny with a log line, never an allow."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from projects.models import Project

from .conftest import build_world, may, sign_in, switch_tenant
from .tenantgate_api import TenantgateApi
from .tenantgate_server import start_tenantgate


@pytest.mark.django_db
def test_when_tenantgate_is_down_everything_is_denied_and_logged(
    client: Client, settings, caplog: pytest.LogCaptureFixture
) -> None:
    # A tenantgate of this test's own, since the test stops it.
    server = start_tenantgate()
    try:
        settings.TENANTGATE_URL = server.url
        world = build_world(TenantgateApi(server.url))
        sign_in(client, world.bob)
        switch_tenant(client, world.tenant_a)
        assert may(client, world.a_edit) == {"view": True, "edit": True}

        server.stop()
        with caplog.at_level(logging.INFO, logger="tenantgate_django"):
            decisions = may(client, world.a_edit)
            refused = client.post(f"/projects/{world.a_edit.pk}/edit/", {"title": "while down"})
            listing = client.get("/projects/")
    finally:
        server.close()

    assert decisions == {"view": False, "edit": False}
    assert refused.status_code == 403
    assert Project.objects.get(pk=world.a_edit.pk).title == "Acme launch"
    # Still signed in (an outage signs nobody out), but shown nothing.
    assert listing.status_code == 503
    assert b"data-project" not in listing.content
    errors = [
        r.getMessage()
        for r in caplog.records
        if r.name == "tenantgate_django" and r.levelno >= logging.ERROR
    ]
    assert any(f"denying edit on project:{world.a_edit.pk}" in m for m in errors), errors
    assert any(f"denying view on project:{world.a_edit.pk}" in m for m in errors), errors
    assert all("tenantgate unavailable" in m for m in errors), errors
