from django.urls import path

from . import views

urlpatterns = [
    path("", views.project_list, name="project-list"),
    path("<str:pk>/", views.project_detail, name="project-detail"),
    path("<str:pk>/edit/", views.project_edit, name="project-edit"),
]
