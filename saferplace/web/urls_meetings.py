"""The web pages of the meetings (included by saferplace/web/urls.py, under the app name "web")."""

urlpatterns: list = []
