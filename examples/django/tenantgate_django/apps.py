from django.apps import AppConfig


class TenantgateConfig(AppConfig):
    """Installed only for the template tag and the sign-in template; the rest works without."""

    name = "tenantgate_django"
    label = "tenantgate"
    verbose_name = "tenantgate"
