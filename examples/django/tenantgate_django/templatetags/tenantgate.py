"""
`{% load tenantgate %}` then `{% can "edit" project as can_edit %}{% if can_edit %}…{% endif %}`.
Needs the request in the template context (the `request` context processor).
"""

from __future__ import annotations

from typing import Any

from django import template

from ..permissions import can as request_can

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context: dict[str, Any], permission: str, obj: object) -> bool:
    """True when the current account may do `permission` on `obj`; False without a request."""
    request = context.get("request")
    return request is not None and request_can(request, permission, obj)
