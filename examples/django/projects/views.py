"""
Projects, each view guarded by tenantgate through Django's own API (`has_perm`, the template
tag) and `permitted` for the list. A denied project answers 403.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from tenantgate_django.client import TenantgateUnavailable
from tenantgate_django.decisions import permitted, prefetch

from .models import Project


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    """Only the projects the active account may view, found by one lookup in tenantgate."""
    try:
        projects = list(permitted(request.user, Project.objects.all(), "view"))
    except TenantgateUnavailable:
        return render(
            request, "projects/project_list.html", {"projects": [], "unavailable": True}, status=503
        )
    # One bulk check for the "edit" links the template asks about per row.
    prefetch(request.user, "edit", projects)
    return render(request, "projects/project_list.html", {"projects": projects})


@login_required
def project_detail(request: HttpRequest, pk: str) -> HttpResponse:
    project = get_object_or_404(Project, pk=pk)
    if not request.user.has_perm("view", project):
        raise PermissionDenied
    return render(request, "projects/project_detail.html", {"project": project})


@login_required
def project_edit(request: HttpRequest, pk: str) -> HttpResponse:
    project = get_object_or_404(Project, pk=pk)
    if not request.user.has_perm("edit", project):
        raise PermissionDenied
    if request.method == "POST":
        project.title = request.POST.get("title", project.title)[:200]
        project.save(update_fields=["title"])
        return HttpResponseRedirect(reverse("project-detail", args=[project.pk]))
    return render(request, "projects/project_edit.html", {"project": project})
