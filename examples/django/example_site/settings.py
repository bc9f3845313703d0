"""
Settings of the example site: a stock Django project plus the tenantgate lines, marked below.
Development values only (the secret key above all); read them from the environment in earnest.
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "insecure-example-key-for-development-only")
DEBUG = os.environ.get("DJANGO_DEBUG", "true") == "true"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "tenantgate_django",  # only for the {% can %} template tag and the sign-in template
    "projects",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # tenantgate, line 2 of 3: after AuthenticationMiddleware, which it builds on.
    "tenantgate_django.middleware.TenantgateMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# tenantgate, line 1 of 3: tenantgate signs people in and answers object permissions.
AUTHENTICATION_BACKENDS = ["tenantgate_django.backend.TenantgateBackend"]

# tenantgate, line 3 of 3: where it listens (TENANTGATE_TIMEOUT, seconds, defaults to 2).
TENANTGATE_URL = os.environ.get("TENANTGATE_URL", "http://127.0.0.1:8080")

ROOT_URLCONF = "example_site.urls"
LOGIN_URL = "tenantgate-login"
LOGIN_REDIRECT_URL = "project-list"
LOGOUT_REDIRECT_URL = "tenantgate-login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "example_site" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ],
        },
    },
]

DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"},
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True

# The site logs tenantgate's failures (denies included) to stderr.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"tenantgate_django": {"handlers": ["console"], "level": "INFO"}},
}
