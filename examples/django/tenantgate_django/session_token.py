"""
Where a request's tenantgate session token comes from.

1. The Django session, where the sign-in view (and the middleware, on a first request that came
   with a tenantgate cookie) keeps it. The Django session store is server-side, so the browser
   never sees the token this way; treat the session store as holding credentials.
2. tenantgate's own session cookie, when tenantgate is served on the same site as Django (behind
   one reverse proxy) and the browser signed in at tenantgate directly.
"""

from __future__ import annotations

from django.http import HttpRequest

SESSION_KEY = "tenantgate_session_token"

# `__Host-` is what tenantgate sets by default; the plain name with COOKIE_SECURE=false.
COOKIE_NAMES = ("__Host-tenantgate_session", "tenantgate_session")


def token_from_request(request: HttpRequest) -> str | None:
    """The token kept in the Django session, else the one in tenantgate's cookie, else None."""
    stored = request.session.get(SESSION_KEY)
    if isinstance(stored, str) and stored:
        return stored
    for name in COOKIE_NAMES:
        cookie = request.COOKIES.get(name)
        if cookie:
            return cookie
    return None


def remember_token(request: HttpRequest, token: str) -> None:
    """Keeps the token in the Django session (call after `django.contrib.auth.login`)."""
    request.session[SESSION_KEY] = token
