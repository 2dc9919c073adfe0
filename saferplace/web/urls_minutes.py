"""The web pages of the minutes (included by saferplace/web/urls.py, under the app name "web")."""

urlpatterns: list = []
