"""
TenantgateMiddleware: after Django's AuthenticationMiddleware, reads the request's tenantgate
session (`GET /v1/session`) and sets

- `request.tenantgate`: the SessionView (user, active account, every account with its tenant),
  or None;
- `request.tenant`: the active account with its tenant id, name and roles, or None;

and gives `request.user` the token and a per-request decision memo that `has_perm` uses.

tenantgate owns the session: one that tenantgate no longer accepts (signed out, expired,
"sign out everywhere") signs the Django user out on the next request. A request that arrives
with only tenantgate's cookie signs its user in here. When tenantgate cannot be reached the user
stays signed in, but the request has no tenant and every decision in it is a deny.
"""

from __future__ import annotations

import logging
from typing import Callable

from django.contrib import auth
from django.http import HttpRequest, HttpResponse

from .backend import BACKEND_PATH
from .client import SessionView, TenantgateProblem, TenantgateUnavailable
from .conf import get_client
from .decisions import RequestDecisions, attach
from .session_token import remember_token, token_from_request

logger = logging.getLogger("tenantgate_django")


class TenantgateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.tenantgate = None  # type: ignore[attr-defined]
        request.tenant = None  # type: ignore[attr-defined]
        token = token_from_request(request)
        if token:
            self._resolve(request, token)
        return self.get_response(request)

    def _resolve(self, request: HttpRequest, token: str) -> None:
        decisions = RequestDecisions(token)
        try:
            view = get_client().session(token)
        except TenantgateProblem as error:
            if error.status == 401:
                logger.info("tenantgate no longer accepts the session; signing out: %s", error)
                auth.logout(request)
                return
            raise
        except TenantgateUnavailable as error:
            logger.error(
                "tenantgate unavailable; no active tenant and every check denied: %s", error
            )
            decisions.unavailable = error.reason
            if request.user.is_authenticated:
                attach(request.user, decisions)
            return
        if not self._signed_in_as(request, view):
            self._sign_in(request, view, token)
        request.tenantgate = view  # type: ignore[attr-defined]
        request.tenant = view.active_tenant  # type: ignore[attr-defined]
        attach(request.user, decisions)

    @staticmethod
    def _signed_in_as(request: HttpRequest, view: SessionView) -> bool:
        user = request.user
        return bool(user.is_authenticated and user.get_username() == view.user_id)

    @staticmethod
    def _sign_in(request: HttpRequest, view: SessionView, token: str) -> None:
        # The token came from tenantgate's cookie (or names another user than the Django
        # session's): the tenantgate session decides who this is.
        user = auth.authenticate(request, tenantgate_session=view)
        if user is None:  # the backend is not in AUTHENTICATION_BACKENDS
            return
        auth.login(request, user, backend=BACKEND_PATH)
        remember_token(request, token)
