"""Sign in, sign out and switch tenant, each a thin view over one tenantgate call."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .backend import BACKEND_PATH
from .client import TenantgateProblem, TenantgateUnavailable
from .conf import get_client
from .decisions import decisions_of
from .session_token import remember_token, token_from_request

logger = logging.getLogger("tenantgate_django")


def _next_url(request: HttpRequest, fallback: str) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return resolve_url(fallback)


def _text(message: str, status: int) -> HttpResponse:
    # Plain text: a problem's detail may echo request input and must not be rendered as HTML.
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def login_view(request: HttpRequest) -> HttpResponse:
    """Email and password, checked by tenantgate; the session token goes into the Django session."""
    context = {"next": request.POST.get("next") or request.GET.get("next") or "", "error": None}
    if request.method != "POST":
        return render(request, "tenantgate_django/login.html", context)
    try:
        user = auth.authenticate(
            request, email=request.POST.get("email", ""), password=request.POST.get("password", "")
        )
    except TenantgateProblem as problem:
        # rate_limited and other refusals: say what tenantgate said.
        context["error"] = problem.detail or problem.code
        return render(request, "tenantgate_django/login.html", context, status=problem.status)
    except TenantgateUnavailable as error:
        logger.error("tenantgate unavailable; sign-in refused: %s", error)
        context["error"] = "Sign-in is unavailable right now; try again shortly."
        return render(request, "tenantgate_django/login.html", context, status=503)
    signed_in = getattr(user, "tenantgate_signed_in", None)
    if user is None or signed_in is None:
        context["error"] = "Wrong email or password."
        return render(request, "tenantgate_django/login.html", context, status=401)
    auth.login(request, user, backend=BACKEND_PATH)
    # After login(): it rotates the Django session, and the token belongs in the new one.
    remember_token(request, signed_in.token)
    return HttpResponseRedirect(_next_url(request, settings.LOGIN_REDIRECT_URL))


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """Ends the tenantgate session too, so the token kept server-side is dead."""
    token = token_from_request(request)
    if token:
        try:
            get_client().logout(token)
        except (TenantgateProblem, TenantgateUnavailable) as error:
            # Signing out locally must not depend on tenantgate; its session expires on its own.
            logger.warning("tenantgate sign-out failed; signing out of Django anyway: %s", error)
    auth.logout(request)
    return HttpResponseRedirect(resolve_url(settings.LOGOUT_REDIRECT_URL or "/"))


@login_required
@require_POST
def switch_tenant_view(request: HttpRequest) -> HttpResponse:
    """`PUT /v1/session/active-tenant`: same sign-in, another account and its permissions."""
    state = decisions_of(request.user)
    tenant_id = request.POST.get("tenant_id", "")
    if state is None or not tenant_id:
        return _text("No tenantgate session or no tenant_id.", 400)
    try:
        get_client().switch_active_tenant(state.token, tenant_id)
    except TenantgateProblem as problem:
        # not_a_member above all: the active tenant stays what it was.
        return _text(f"{problem.code}: {problem.detail}", problem.status)
    except TenantgateUnavailable as error:
        logger.error("tenantgate unavailable; tenant not switched: %s", error)
        return _text("tenantgate is unavailable; tenant not switched.", 503)
    state.forget()
    return HttpResponseRedirect(_next_url(request, settings.LOGIN_REDIRECT_URL))
