"""Django's database sessions, but a session key from a cookie is looked up only if it could be
one Django made (32 lower-case letters and digits, though any letters and digits are let
through). A cookie can carry any character, a NUL too (`sessionid="abcdefgh\\000"` is unquoted
to one), and PostgreSQL refuses a NUL in a query: without this check such a cookie made every
request a server error."""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key):
        return bool(super()._validate_session_key(key)) and key.isascii() and key.isalnum()
