"""SaferPlace settings. Everything a deployment changes comes from the environment (see
`.env.example`); `SAFERPLACE_ENV=production` turns on the production hardening that
`manage.py check --deploy` looks for."""

from datetime import time
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from saferplace.env import (
    env_bool,
    env_choice,
    env_int,
    env_json_object,
    env_keys,
    env_list,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
ENVIRONMENT = env_choice("SAFERPLACE_ENV", "development", ("development", "production"))
PRODUCTION = ENVIRONMENT == "production"

DATA_DIR = Path(env_str("SAFERPLACE_DATA_DIR", str(BASE_DIR / "data")))

if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long in production.")
else:
    SECRET_KEY = env_str("SECRET_KEY", "development-only-key-" + "x" * 40)

# Off unless asked for, the demo included: people see the GOV.UK-styled error pages, never a traceback.
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# A refused form post (no or a wrong CSRF token) is a GOV.UK-styled 403, and audited.
CSRF_FAILURE_VIEW = "saferplace.web.views.auth.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks_db",
    "saferplace.partners",
    "saferplace.audit",
    "saferplace.places",
    "saferplace.incidents",
    "saferplace.analysis",
    "saferplace.notifications",
    "saferplace.tasking",
    "saferplace.meetings",
    "saferplace.reports",
    "saferplace.web",
    "saferplace.api",
    "saferplace.worker",
    "saferplace.demo",
    "saferplace.cli",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "saferplace.web.middleware.NoStoreMiddleware",
    "saferplace.web.middleware.AllowedMethodsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "saferplace.web.middleware.ViewerMiddleware",
    "saferplace.web.middleware.SessionSecurityMiddleware",
    "saferplace.web.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
    "saferplace.web.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "saferplace.urls"
WSGI_APPLICATION = "saferplace.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "saferplace" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "saferplace.web.jinja.environment"},
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'saferplace.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
SQLITE_BUSY_TIMEOUT_SECONDS = env_int("SQLITE_BUSY_TIMEOUT_SECONDS", 50, minimum=1)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers carry on while one writer writes; IMMEDIATE takes the write lock at
        # the start of a transaction, so two writers queue instead of failing half-way.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;",
        "transaction_mode": "IMMEDIATE",
        # How long a write waits for the lock. Every page that shows records writes an audit
        # entry, so a person's page waits for whatever transaction holds the lock, and the
        # longest is an import's write (one transaction: about 3 s per million rows on an idle
        # 2-core VM, up to 14 s on a busy one; docs/performance.md). Giving up sooner
        # would not spare anyone the wait, only turn it into an error page; so wait until just
        # before the proxy in front gives up (nginx: 60 s).
        "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
    }
    # Tests use a file, not Django's default in-memory database: the browser tests' live server
    # answers several requests at once, each on its own connection, as in real use.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-saferplace.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users, passwords, sign-in --------------------------------------------------------------
AUTH_USER_MODEL = "partners.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "web:sign-in"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:sign-in"

# Lock an account (username + address) after repeated failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "saferplace.web.views.auth.locked_out"
# The address a lockout is keyed on is the client's, the same one the audit trail records (behind
# a reverse proxy: the address the proxy saw, not the proxy's own).
AXES_CLIENT_IP_CALLABLE = "saferplace.interfaces.client_address"
AXES_VERBOSE = False

# Behind a reverse proxy, take the client's address (for the audit trail, the sessions page and
# sign-in lockouts) from X-Forwarded-For: the address the proxy appended, never one the client sent.
AUDIT_TRUST_X_FORWARDED_FOR = env_bool("AUDIT_TRUST_X_FORWARDED_FOR", False)
# The keys of the audit chain's hashes, "id:secret,…": the first makes new entries, the rest
# check older ones (rotation). The development key is published: never use it in production.
AUDIT_HASH_KEYS = env_keys(
    "AUDIT_HASH_KEYS", None if PRODUCTION else "development:development-only-audit-key-not-secret",
    min_length=32 if PRODUCTION else 0,
)
AUDIT_HASH_KEY_ID = next(iter(AUDIT_HASH_KEYS))
# Signed checkpoints of the chain's head, written outside the database: "file:/path" (a file
# the application may only append to, ideally on another machine's mount) or "log" (the
# logger saferplace.audit.checkpoint, for the operator's log shipping).
AUDIT_CHECKPOINT_SINK = env_str("AUDIT_CHECKPOINT_SINK", f"file:{DATA_DIR / 'audit-checkpoints.jsonl'}")
if not (AUDIT_CHECKPOINT_SINK == "log" or AUDIT_CHECKPOINT_SINK.startswith("file:")):
    raise ImproperlyConfigured("AUDIT_CHECKPOINT_SINK must be file:/path or log.")
AUDIT_CHECKPOINT_KEY = env_str(
    "AUDIT_CHECKPOINT_KEY", None if PRODUCTION else "development-only-checkpoint-key-not-secret"
).encode("utf-8")
if PRODUCTION and len(AUDIT_CHECKPOINT_KEY) < 32:
    raise ImproperlyConfigured("AUDIT_CHECKPOINT_KEY must be at least 32 characters long in production.")

# The key of people's pseudonyms (incidents/pseudonyms.py): its own, as changing it breaks every
# link between the pseudonyms stored before and after, where the secret key may be rotated.
PSEUDONYM_KEY = env_str("SAFERPLACE_PSEUDONYM_KEY", None if PRODUCTION else "development-only-pseudonym-key-not-secret")
if PRODUCTION and len(PSEUDONYM_KEY) < 32:
    raise ImproperlyConfigured("SAFERPLACE_PSEUDONYM_KEY must be at least 32 characters long in production.")
AUDIT_CHECKPOINT_MINUTES = env_int("AUDIT_CHECKPOINT_MINUTES", 60, minimum=1)
# When the worker drafts the day's meeting agendas (local time, hours of the day).
AGENDA_DRAFTED_AT = time(env_int("SAFERPLACE_AGENDA_HOUR", 6, minimum=0, maximum=23))
# `saferplace serve` and `saferplace worker` apply migrations when they start (turn off where a
# separate owner role migrates, see docs/operations.md).
MIGRATE_ON_START = env_bool("MIGRATE_ON_START", not PRODUCTION)

OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "SaferPlace")

# API tokens: how long a new one lasts unless told otherwise, and the longest allowed.
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 365, minimum=1)
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90, minimum=1, maximum=API_TOKEN_MAX_DAYS)

# Administrators are warned this many days before a sharing agreement ends or is due for review.
AGREEMENT_WARNING_DAYS = env_int("AGREEMENT_WARNING_DAYS", 30, minimum=1, maximum=366)

# Optional OpenID Connect sign-in (e.g. Microsoft Entra ID); on when a client id is set.
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID", "")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
if OIDC_ENABLED:
    INSTALLED_APPS.append("mozilla_django_oidc")
    AUTHENTICATION_BACKENDS.append("saferplace.web.oidc.PartnerOIDCBackend")
    OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET")
    OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT")
    OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT")
    OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
    # The provider's issuer (the "iss" of its ID tokens), checked on every sign-in.
    OIDC_OP_ISSUER = env_str("OIDC_OP_ISSUER")
    OIDC_RP_SCOPES = "openid email profile"
    OIDC_CREATE_USER = False
    OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "Microsoft")
    # When the identity provider enforces its own multi-factor sign-in, SaferPlace can trust it
    # instead of asking for a SaferPlace one-time code as well.
    OIDC_TRUST_PROVIDER_MFA = env_bool("OIDC_TRUST_PROVIDER_MFA", False)
    LOGIN_REDIRECT_URL_FAILURE = "/sign-in/"
else:
    OIDC_PROVIDER_NAME = ""
    OIDC_TRUST_PROVIDER_MFA = False

# --- Sessions, cookies and transport security -----------------------------------------------
# Database sessions that never look up a key no session could have (see saferplace/web/sessions.py).
SESSION_ENGINE = "saferplace.web.sessions"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE_SECONDS", 8 * 60 * 60, minimum=300)
# Notices ("Jo Bloggs's new role waits for approval") stay on the server, not in a cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
# A session unused for this long is signed out (ASVS 7.3.1), whatever its absolute age.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host- cookies: only over HTTPS, only for this exact host, for the whole site (ASVS 3.3.3).
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Content security policy: only our own scripts and styles; no inline script anywhere.
MAP_TILE_URL = env_str("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "")
_tile_origins = env_list("MAP_TILE_ORIGINS", [])
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", *_tile_origins],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF, *env_list("CSP_FORM_ACTION_EXTRA", [])],
    "frame-ancestors": [CSP.NONE],
}

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "saferplace" / "static"]
# Uploaded files (a file waiting for the worker to import it, kept until it is imported) go
# through Django's storage API: a folder under DATA_DIR by default, which the web server never
# serves; with several machines, object storage every web server and worker reaches (e.g.
# django-storages' S3 backend). See docs/operations.md.
FILE_STORAGE_BACKEND = env_str("FILE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")
FILE_STORAGE_OPTIONS = env_json_object(
    "FILE_STORAGE_OPTIONS",
    {"location": str(DATA_DIR / "media")} if FILE_STORAGE_BACKEND.endswith(".FileSystemStorage") else {},
)
STORAGES = {
    "default": {"BACKEND": FILE_STORAGE_BACKEND, "OPTIONS": FILE_STORAGE_OPTIONS},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# --- Background work ------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Background work renews a lease while it runs; work whose lease has run out for this long
# (its process was killed) is marked failed and can be retried.
TASK_LEASE_SECONDS = env_int("TASK_LEASE_SECONDS", 120, minimum=10)

# --- Notifications (saferplace/notifications, docs/notifications.md) ------------------------
# Email through Django (SMTP in production; in development a file per message under
# DATA_DIR/sent-mail), or GOV.UK Notify when an API key is set.
EMAIL_BACKEND_PATH = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION
                             else "django.core.mail.backends.filebased.EmailBackend")
if EMAIL_BACKEND_PATH.endswith(".filebased.EmailBackend"):
    _MAILER_OPTIONS = {"file_path": str(DATA_DIR / "sent-mail")}
elif EMAIL_BACKEND_PATH.endswith(".smtp.EmailBackend"):
    _MAILER_OPTIONS = {
        "host": env_str("EMAIL_HOST", "localhost"), "port": env_int("EMAIL_PORT", 25, minimum=1, maximum=65535),
        "username": env_str("EMAIL_HOST_USER", ""), "password": env_str("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False), "timeout": 30,
    }
else:
    _MAILER_OPTIONS = {}
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_PATH, "OPTIONS": _MAILER_OPTIONS}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "SaferPlace <saferplace@localhost>")
NOTIFY_API_KEY = env_str("SAFERPLACE_NOTIFY_API_KEY", "")
NOTIFY_EMAIL_TEMPLATE_ID = env_str("NOTIFY_EMAIL_TEMPLATE_ID", "" if not NOTIFY_API_KEY else None)

# --- Public reports -------------------------------------------------------------------------
# Where residents read their report (the link in what they are sent), the Open311 jurisdiction
# this partnership answers for, and how many reports one network address may send an hour on
# the website (an Open311 client's limit is its key's, `ApiKey.per_minute`).
PUBLIC_URL = env_str("SAFERPLACE_PUBLIC_URL", "http://localhost:8000").rstrip("/")
OPEN311_JURISDICTION = env_str("SAFERPLACE_OPEN311_JURISDICTION", "riverford.example")
REPORTS_PER_HOUR_PER_ADDRESS = env_int("SAFERPLACE_REPORTS_PER_HOUR", 20, minimum=1, maximum=100000)
PUBLIC_READS_PER_MINUTE_PER_ADDRESS = env_int("SAFERPLACE_PUBLIC_READS_PER_MINUTE", 600, minimum=1, maximum=1000000)

# --- Places ---------------------------------------------------------------------------------
H3_RESOLUTION = env_int("H3_RESOLUTION", 9, minimum=0, maximum=15)

# --- Imports --------------------------------------------------------------------------------
# A spreadsheet (a zip archive) is checked against these before anything unpacks it: what it
# would unpack to, how far any part of it is compressed, and the rows and cells of its sheets
# (saferplace/incidents/importers/spreadsheets.py). A date further ahead than the margin is a
# rejected row (dates.py).
IMPORT_MAX_UNCOMPRESSED_MB = env_int("IMPORT_MAX_UNCOMPRESSED_MB", 500, minimum=1)
IMPORT_MAX_COMPRESSION_RATIO = env_int("IMPORT_MAX_COMPRESSION_RATIO", 100, minimum=1)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 2_000_000, minimum=1)
IMPORT_MAX_CELLS = env_int("IMPORT_MAX_CELLS", 50_000_000, minimum=1)
IMPORT_FUTURE_MARGIN_DAYS = env_int("IMPORT_FUTURE_MARGIN_DAYS", 31, minimum=0)

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

# One handler, on the root logger: every logger's lines (SaferPlace's, Django's, the task
# worker's) reach it once, by propagation. Django's own "django" logger has a console handler
# of its own when DEBUG is on, which printed each of its lines (the worker's "Task … state=…")
# a second time: it is given none here.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"timed": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "timed"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "axes": {"level": "WARNING"},
        # WeasyPrint reports each step of every PDF, and warns of CSS it does not draw (GOV.UK's
        # visually hidden text); only its errors matter.
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
    },
}
