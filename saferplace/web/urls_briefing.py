"""The web pages of the briefing (included by saferplace/web/urls.py, under the app name "web")."""

urlpatterns: list = []
