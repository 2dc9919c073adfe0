"""Managing organisations, people, sharing agreements and API tokens. Every service takes the
`viewer` who acts, checks the capability and that the record is the viewer's own
organisation's (`access.require`), and writes its audit entry in the same transaction."""

from saferplace.partners.services.accounts import (
    initial_password,
    role_is_approved,
    role_request_decide,
    user_create,
    user_open,
    user_password_change,
    user_password_reset,
    user_role_change,
    user_set_active,
)
from saferplace.partners.services.agreements import (
    agreement_end,
    agreement_resume,
    agreement_save,
    agreement_sign,
    agreement_suspend,
    agreement_warnings_write,
)
from saferplace.partners.services.organisations import (
    data_category_ensure,
    organisation_save,
    team_create,
)
from saferplace.partners.services.sessions import (
    user_session_closed,
    user_session_end,
    user_session_seen,
    user_session_start,
    user_sessions_end_all,
)
from saferplace.partners.services.tokens import (
    api_scopes_for,
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)

__all__ = [
    "agreement_end",
    "agreement_resume",
    "agreement_save",
    "agreement_sign",
    "agreement_suspend",
    "agreement_warnings_write",
    "api_scopes_for",
    "api_token_authenticate",
    "api_token_create",
    "api_token_revoke",
    "data_category_ensure",
    "initial_password",
    "organisation_save",
    "role_is_approved",
    "role_request_decide",
    "team_create",
    "user_create",
    "user_open",
    "user_password_change",
    "user_password_reset",
    "user_role_change",
    "user_session_closed",
    "user_session_end",
    "user_session_seen",
    "user_session_start",
    "user_sessions_end_all",
    "user_set_active",
]
