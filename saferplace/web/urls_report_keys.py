"""Setting up public reporting: Open311 client keys (included by saferplace/web/urls.py)."""

from django.urls import path

from saferplace.web.views import report_keys as views

urlpatterns: list = [
    path("reporting/keys/", views.keys, name="reporting-keys"),
    path("reporting/keys/new", views.key_create, name="reporting-key-create"),
    path("reporting/keys/revoke", views.key_revoke, name="reporting-key-revoke"),
]
