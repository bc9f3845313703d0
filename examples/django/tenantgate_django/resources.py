"""
How a Django object names its tenantgate resource.

The rule: an object is the resource `<tenantgate_type>:<pk>`, or whatever its own
`tenantgate_resource` attribute (or method) says. `TenantgateResource` gives a model the first
form from one class attribute. A string already in `type:id` form is taken as it is, so
`user.has_perm("edit", "project:p1")` also works. Anything else has no resource, and this
package answers no about it.
"""

from __future__ import annotations

from typing import ClassVar


class TenantgateResource:
    """Mixin for models: `tenantgate_type = "project"` makes each row `project:<pk>`."""

    tenantgate_type: ClassVar[str]
    pk: object

    @property
    def tenantgate_resource(self) -> str:
        return f"{self.tenantgate_type}:{self.pk}"


def resource_of(obj: object) -> str | None:
    """The `type:id` tenantgate knows `obj` by, or None when it is not a tenantgate resource."""
    if isinstance(obj, str):
        kind, sep, ident = obj.partition(":")
        return obj if sep and kind and ident else None
    named = getattr(obj, "tenantgate_resource", None)
    if callable(named):
        named = named()
    return named if isinstance(named, str) and named else None
