"""The web pages of the meetings (included by saferplace/web/urls.py, under the app name "web")."""

from django.urls import path

from saferplace.web.views import meetings

urlpatterns: list = [
    path("meetings/", meetings.series_index, name="meeting-series-list"),
    path("meetings/series/new/", meetings.series_new, name="meeting-series-create"),
    path("meetings/series/<int:series_id>/", meetings.series_detail, name="meeting-series"),
    path("meetings/series/<int:series_id>/change/", meetings.series_edit, name="meeting-series-change"),
    path("meetings/series/<int:series_id>/concern/", meetings.concern_new, name="meeting-concern"),
    path("meetings/series/<int:series_id>/prepare", meetings.prepare_now, name="meeting-prepare"),
    path("meetings/<int:meeting_id>/", meetings.meeting_detail, name="meeting-detail"),
    path("meetings/<int:meeting_id>/live", meetings.meeting_live, name="meeting-live"),
    path("meetings/<int:meeting_id>/join", meetings.join, name="meeting-join"),
    path("meetings/<int:meeting_id>/hand", meetings.hand, name="meeting-hand"),
    path("meetings/<int:meeting_id>/chair/<slug:action>", meetings.chair_action, name="meeting-chair"),
    path("meetings/<int:meeting_id>/items/<int:item_id>/note", meetings.note, name="meeting-note"),
    path("meetings/<int:meeting_id>/items/<int:item_id>/reveal", meetings.reveal, name="meeting-reveal"),
    path("meetings/<int:meeting_id>/items/<int:item_id>/decide/", meetings.decide, name="meeting-decide"),
    path("meetings/items/<int:item_id>/", meetings.item_detail, name="meeting-item"),
]
