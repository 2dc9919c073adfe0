"""The web pages of the briefing (included by saferplace/web/urls.py, under the app name "web")."""

from django.urls import path

from saferplace.web.views import briefing

urlpatterns: list = [
    path("briefing/", briefing.briefing, name="briefing"),
    path("briefing/map.geojson", briefing.briefing_map, name="briefing-map"),
    path("briefing/updates", briefing.briefing_updates, name="briefing-updates"),
    path("service-worker.js", briefing.service_worker, name="service-worker"),
]
