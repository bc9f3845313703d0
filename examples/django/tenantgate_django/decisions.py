"""
Permission decisions for one request, failing closed.

Each decision asks tenantgate (`check`, or `check_bulk` to prefetch many). Nothing is cached
beyond the request: a grant revoked in tenantgate is denied on the next request. Within a request
a decision is remembered, as Django's own ModelBackend remembers permissions on the user object,
so a template that asks about the same object twice costs one call.

Failure is a deny plus a log line, never an allow. Once tenantgate is found unavailable in a
request, the rest of that request's decisions are denied at once instead of each waiting for its
own timeout. A 400 (a permission name or resource tenantgate cannot parse, a permission the
schema lacks) is a programming error and is raised, so it shows up in development instead of
silently denying forever.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Iterable, TypeVar

from django.db.models import Model, QuerySet

from .client import TenantgateProblem, TenantgateUnavailable
from .conf import get_client
from .resources import resource_of

logger = logging.getLogger("tenantgate_django")

_ATTRIBUTE = "_tenantgate_decisions"

M = TypeVar("M", bound=Model)


@dataclass
class RequestDecisions:
    """The request's tenantgate token and what was decided with it so far."""

    token: str
    decided: dict[tuple[str, str], bool] = field(default_factory=dict)
    # Why tenantgate could not answer earlier in this request, if it could not.
    unavailable: str | None = None

    def forget(self) -> None:
        """Drop remembered decisions (after switching tenant within the request)."""
        self.decided.clear()


def attach(user: object, decisions: RequestDecisions) -> None:
    """Gives the request's user (a fresh object each request) its token and decision memo."""
    setattr(user, _ATTRIBUTE, decisions)


def decisions_of(user: object) -> RequestDecisions | None:
    return getattr(user, _ATTRIBUTE, None)


def decide(user: object, permission: str, obj: object) -> bool:
    """May the user's active account do `permission` on `obj`? False on any doubt."""
    resource = resource_of(obj)
    state = decisions_of(user)
    if resource is None or state is None:
        return False
    key = (permission, resource)
    if key in state.decided:
        return state.decided[key]
    if state.unavailable:
        logger.error(
            "tenantgate unavailable; denying %s on %s (%s)", permission, resource, state.unavailable
        )
        return False
    try:
        allowed = get_client().check(state.token, resource, permission).allowed
    except TenantgateUnavailable as error:
        state.unavailable = error.reason
        logger.error("tenantgate unavailable; denying %s on %s: %s", permission, resource, error)
        return False
    except TenantgateProblem as error:
        if error.status == 400:
            raise
        # 401 (session ended), 403 (no active tenant, membership gone): a deny, worth a line.
        logger.warning("tenantgate refused; denying %s on %s: %s", permission, resource, error)
        return False
    state.decided[key] = allowed
    return allowed


def prefetch(user: object, permission: str, objects: Iterable[object]) -> None:
    """
    Decides `permission` on many objects in one `check_bulk` call, so that later `has_perm`
    calls (a template tag per row, say) are answered from the request's memo.
    """
    state = decisions_of(user)
    if state is None or state.unavailable:
        return
    resources = sorted({r for r in map(resource_of, objects) if r is not None})
    wanted = [(r, permission) for r in resources if (permission, r) not in state.decided]
    if not wanted:
        return
    try:
        results = get_client().check_bulk(state.token, wanted)
    except TenantgateUnavailable as error:
        state.unavailable = error.reason
        logger.error(
            "tenantgate unavailable; denying %s on %d objects: %s", permission, len(wanted), error
        )
        return
    except TenantgateProblem as error:
        if error.status == 400:
            raise
        logger.warning("tenantgate refused a bulk check of %s: %s", permission, error)
        return
    for result in results:
        state.decided[(result.permission, result.resource)] = result.allowed


def permitted(user: object, queryset: QuerySet[M], permission: str) -> QuerySet[M]:
    """
    The rows of `queryset` the user's active account may `permission`, found with one
    `lookup_resources` call on the model's `tenantgate_type` (rows must be `<type>:<pk>`).
    Raises TenantgateUnavailable (after logging) when tenantgate cannot answer, so the caller can
    say so; no session means no rows.
    """
    state = decisions_of(user)
    if state is None:
        return queryset.none()
    resource_type: str = getattr(queryset.model, "tenantgate_type")
    try:
        if state.unavailable:
            raise TenantgateUnavailable(state.unavailable)
        found = get_client().lookup_resources(state.token, resource_type, permission)
    except TenantgateUnavailable as error:
        state.unavailable = error.reason
        logger.error(
            "tenantgate unavailable; listing no %s to %s: %s", resource_type, permission, error
        )
        raise
    except TenantgateProblem as error:
        if error.status == 400:
            raise
        logger.warning("tenantgate refused a lookup of %s: %s", resource_type, error)
        return queryset.none()
    for ident in found.resources:
        state.decided[(permission, f"{resource_type}:{ident}")] = True
    # Conditional ids need caveat context nobody gave: not granted.
    return queryset.filter(pk__in=found.resources)
