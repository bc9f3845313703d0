"""The one client this process uses, built from settings when first needed."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from .client import TenantgateClient

DEFAULT_TIMEOUT_SECONDS = 2.0


@cache
def get_client() -> TenantgateClient:
    """A client for `settings.TENANTGATE_URL` with `settings.TENANTGATE_TIMEOUT` (seconds)."""
    return TenantgateClient(
        settings.TENANTGATE_URL,
        timeout=float(getattr(settings, "TENANTGATE_TIMEOUT", DEFAULT_TIMEOUT_SECONDS)),
    )


@receiver(setting_changed)
def _forget_client(*, setting: str, **_: Any) -> None:
    # Tests (override_settings, pytest-django's `settings`) point the site at another tenantgate.
    if setting.startswith("TENANTGATE_"):
        get_client.cache_clear()
