"""The web pages of the tasks (included by saferplace/web/urls.py, under the app name "web")."""

urlpatterns: list = []
