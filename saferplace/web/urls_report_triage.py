"""A partner's pages of residents' reports: the triage queue, a report and its actions
(included by saferplace/web/urls.py, under the app name "web")."""

from django.urls import path

from saferplace.web.views import report_triage as views

urlpatterns: list = [
    path("triage/", views.queue, name="triage-queue"),
    path("triage/<int:report_id>/", views.report_detail, name="triage-report"),
    path("triage/<int:report_id>/accept", views.report_accept, name="triage-accept"),
    path("triage/<int:report_id>/reject", views.report_reject, name="triage-reject"),
    path("triage/<int:report_id>/state", views.report_state, name="triage-state"),
    path("triage/<int:report_id>/duplicate", views.report_duplicate, name="triage-duplicate"),
    path("triage/<int:report_id>/reassign", views.report_reassign, name="triage-reassign"),
    path("triage/<int:report_id>/task", views.report_task, name="triage-task"),
    path("triage/<int:report_id>/meeting", views.report_meeting, name="triage-meeting"),
    path("triage/<int:report_id>/incident", views.report_incident, name="triage-incident"),
    path("triage/<int:report_id>/comment", views.report_comment, name="triage-comment"),
    path("triage/<int:report_id>/photos/<int:photo_id>", views.report_photo, name="triage-photo"),
]
