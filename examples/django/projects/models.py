"""The example's own data. tenantgate holds who may do what with it; Django holds the rows."""

from __future__ import annotations

import secrets

from django.db import models

from tenantgate_django.resources import TenantgateResource


def new_project_id() -> str:
    # Random, not a sequence: the id is also the tenantgate resource id, and a reused id would
    # inherit the grants of a deleted row.
    return f"prj_{secrets.token_hex(8)}"


class Project(TenantgateResource, models.Model):
    """A project is the tenantgate resource `project:<id>` (schema.zed's `project`)."""

    tenantgate_type = "project"

    id = models.CharField(primary_key=True, max_length=40, default=new_project_id, editable=False)
    title = models.CharField(max_length=200)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
