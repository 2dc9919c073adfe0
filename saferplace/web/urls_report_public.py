"""The public pages of reports (included by saferplace/web/urls.py, under the app name "web"):
the "report a problem" journey under /report/, a report's own page, and the list under
/reports/. None needs signing in (`middleware.PUBLIC_PREFIXES`)."""

from django.urls import path

from saferplace.web.views import report_public, report_public_pages

urlpatterns: list = [
    path("report/", report_public.start, name="report-start"),
    path("report/new/", report_public.begin, name="report-begin"),
    path("report/private/<slug:code>/", report_public.private_start, name="report-private-start"),
    path("report/where/", report_public.where, name="report-where"),
    path("report/what/", report_public.what, name="report-what"),
    path("report/details/", report_public.details, name="report-details"),
    path("report/nearby/", report_public.nearby, name="report-nearby"),
    path("report/about-you/", report_public.about, name="report-about"),
    path("report/check/", report_public.check, name="report-check"),
    path("report/sent/", report_public.sent, name="report-sent"),
    path("report/streets.geojson", report_public_pages.streets, name="report-streets"),
    path("report/<int:report_id>/", report_public_pages.report_detail, name="report-detail"),
    path("report/<int:report_id>/support", report_public_pages.report_support_view, name="report-support"),
    path("report/<int:report_id>/reopen", report_public_pages.report_reopen_view, name="report-reopen"),
    path("report/<int:report_id>/photos/<int:photo_id>", report_public_pages.report_photo, name="report-photo"),
    path("reports/", report_public_pages.report_list, name="report-list"),
]
