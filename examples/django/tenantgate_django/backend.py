"""
The authentication backend: tenantgate signs people in and decides object permissions.

- `authenticate(request, email=..., password=...)` signs in at tenantgate and returns the local
  Django user for that tenantgate user (created on first sign-in, username = tenantgate user id).
  The new session token rides on the returned user as `tenantgate_signed_in`; the sign-in view
  keeps it in the Django session.
- `has_perm(user, "edit", obj)` asks tenantgate whether the request's *active account* may edit
  `obj`. Permissions belong to accounts, one per tenant, so the answer follows the active tenant.
  Django's model-level permissions (`app.codename`, or no object) are not tenantgate's: this
  backend answers no and leaves them to others such as ModelBackend.

NOTE: Django answers `has_perm` True for an active superuser before asking any backend. Users
this backend creates are never superusers; do not make them so, or tenantgate is bypassed.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest

from .client import SessionView, SignedIn, TenantgateProblem
from .conf import get_client
from .decisions import decide

BACKEND_PATH = "tenantgate_django.backend.TenantgateBackend"


def local_user_for(user_id: str, email: str) -> AbstractBaseUser:
    """The Django user standing for a tenantgate user, kept in step with its email."""
    model = get_user_model()
    user, created = model._default_manager.get_or_create(
        **{model.USERNAME_FIELD: user_id}, defaults={"email": email}
    )
    if created:
        # Passwords live in tenantgate only.
        user.set_unusable_password()
        user.save()
    elif getattr(user, "email", email) != email:
        user.email = email
        user.save(update_fields=["email"])
    return user


class TenantgateBackend(BaseBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        email: str | None = None,
        password: str | None = None,
        tenantgate_session: SessionView | None = None,
        **_: Any,
    ) -> AbstractBaseUser | None:
        """
        Email and password: signs in at tenantgate (None on wrong credentials; other refusals,
        such as `rate_limited`, and an unavailable tenantgate raise for the view to report).
        A SessionView (the middleware's, from a tenantgate cookie): the user it names.
        """
        if tenantgate_session is not None:
            return local_user_for(tenantgate_session.user_id, tenantgate_session.email)
        if email is None or password is None:
            return None
        meta = request.META if request is not None else {}
        try:
            signed_in: SignedIn = get_client().login(
                email,
                password,
                client_ip=meta.get("REMOTE_ADDR"),
                user_agent=meta.get("HTTP_USER_AGENT"),
            )
        except TenantgateProblem as error:
            if error.code in ("invalid_credentials", "invalid_request"):
                return None
            raise
        user = local_user_for(signed_in.user_id, signed_in.email)
        user.tenantgate_signed_in = signed_in  # type: ignore[attr-defined]
        return user

    def get_user(self, user_id: Any) -> AbstractBaseUser | None:
        model = get_user_model()
        try:
            return model._default_manager.get(pk=user_id)
        except model.DoesNotExist:
            return None

    def has_perm(self, user_obj: Any, perm: str, obj: object = None) -> bool:
        if obj is None or "." in perm or not user_obj.is_active:
            return False
        return decide(user_obj, perm, obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return False
