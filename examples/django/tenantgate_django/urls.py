"""`path("auth/", include("tenantgate_django.urls"))` in the site's urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("login/", views.login_view, name="tenantgate-login"),
    path("logout/", views.logout_view, name="tenantgate-logout"),
    path("switch-tenant/", views.switch_tenant_view, name="tenantgate-switch-tenant"),
]
