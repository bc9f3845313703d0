"""The helper views use: "may the current account do `permission` on `obj`?"."""

from __future__ import annotations

from django.http import HttpRequest


def can(request: HttpRequest, permission: str, obj: object) -> bool:
    """`request.user.has_perm(permission, obj)`: every backend, tenantgate's among them."""
    return bool(request.user.has_perm(permission, obj))
