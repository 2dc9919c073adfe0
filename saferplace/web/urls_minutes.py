"""The web pages of the minutes, the calendar and what was sent (included by saferplace/web/urls.py,
under the app name "web")."""

from django.urls import path

from saferplace.web.views import calendar, minutes

urlpatterns: list = [
    path("meetings/<int:meeting_id>/minutes/", minutes.minutes_page, name="minutes"),
    path("meetings/<int:meeting_id>/minutes.pdf", minutes.minutes_download, name="minutes-pdf"),
    path("meetings/<int:meeting_id>/minutes/send/", minutes.minutes_send_page, name="minutes-send"),
    path("notifications/", minutes.notification_list, name="notification-list"),
    path("notifications/<int:send_id>/send-again", minutes.notification_send_again, name="notification-send-again"),
    path("calendar/", calendar.calendar_page, name="calendar"),
    path("calendar.ics", calendar.calendar_download, name="calendar-download"),
    path("calendar/link", calendar.calendar_link_make, name="calendar-link-make"),
    path("calendar/link/remove", calendar.calendar_link_remove, name="calendar-link-remove"),
    path("calendar/<str:token>.ics", calendar.calendar_feed, name="calendar-feed"),
]
