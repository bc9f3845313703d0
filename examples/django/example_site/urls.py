from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="project-list")),
    path("auth/", include("tenantgate_django.urls")),
    path("projects/", include("projects.urls")),
]
