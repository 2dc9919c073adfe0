from django.conf import settings
from django.urls import include, path

from saferplace.api.v1 import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("open311/v2/", include("saferplace.open311.urls")),
    path("", include("saferplace.web.urls")),
]

if settings.OIDC_ENABLED:
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))
