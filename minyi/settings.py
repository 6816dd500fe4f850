"""Django settings for minyi, read from the environment (see docs/settings.md for every variable).

Defaults are safe for one machine: SQLite in the data directory, DEBUG off (the demo's too).
Production sets DATABASE_URL to PostgreSQL and SECRET_KEY (or SECRET_KEY_FILE) shared by all servers.
"""

from __future__ import annotations

import contextlib
import secrets
from pathlib import Path

import dj_database_url

from minyi.core.env import EnvError, env_bool, env_float, env_int, env_list, env_path, env_secret, env_str
from minyi.workcal.calendar import parse_periods

PACKAGE_DIR = Path(__file__).resolve().parent

DATA_DIR = env_path("MINYI_DATA_DIR", Path.cwd() / "data")


def _create_private(folder: Path) -> None:
    """Make the data directory when it is missing, so that only minyi's user may enter it: it holds
    the SQLite database, the uploaded files and the secret key, every citizen's data. (Whatever
    needed it first made it with the umask's 0755, the secret key or an upload; SQLite cannot make
    it at all.) A folder that exists keeps its mode: docs/production.md says to make it 0700. A
    machine that cannot create it (PostgreSQL and no files) meets the error where it needs one."""
    if folder.exists():
        return
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)  # this mode for the folder, not its parents


_create_private(DATA_DIR)

DEMO = env_bool("MINYI_DEMO", False)
# Off for the demo too: a demo is reachable by strangers, and Django's debug pages would show them the
# URL list, the settings and tracebacks. A developer turns it on with DEBUG=1, never by default.
DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    key = env_secret("SECRET_KEY", file_variable="SECRET_KEY_FILE")
    if key:
        return key
    # One machine, no key given: make one and keep it in the data directory so sessions survive
    # restarts. Several servers must share one key: set SECRET_KEY or SECRET_KEY_FILE there.
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    key = secrets.token_urlsafe(50)
    key_file.write_text(key, encoding="utf-8")
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "minyi.core",
    "minyi.org",
    "minyi.workcal",
    "minyi.catalog",
    "minyi.cases",
    "minyi.access",
    "minyi.notifications",
    "minyi.knowledge",
    "minyi.demo",
    "minyi.web",
    "minyi.console",
    "minyi.portal",
    "minyi.api",
    "minyi.transfer",
    "minyi.stats",
    "minyi.analysis",
    "minyi.reports",
    "minyi.projects",
    "minyi.visits",
    "minyi.problems",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "minyi.web.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "minyi.web.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "minyi.web.middleware.ErrorMiddleware",
    # Turns a login refused by the login limits into the page that says until when, and gives the
    # browser of a successful login its device cookie.
    "minyi.web.logins.LoginLimitsMiddleware",
    # A body sent in chunks, which Django would read as empty: 411 before any view or CSRF check
    # (those run after every middleware's request phase), with the headers of every other answer.
    "minyi.web.middleware.LengthRequiredMiddleware",
]

# Django's password check within the login limits (web/logins.py).
AUTHENTICATION_BACKENDS = ["minyi.web.logins.LimitedModelBackend"]

ROOT_URLCONF = "minyi.urls"
WSGI_APPLICATION = "minyi.wsgi.application"
AUTH_USER_MODEL = "org.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "minyi.console.context_processors.console",
            ],
        },
    },
]


def _database() -> dict:
    url = env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'minyi.sqlite3'}"
    try:
        config = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 0, minimum=0))
    except ValueError as exc:
        raise EnvError(f"DATABASE_URL={url!r}: {exc}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # IMMEDIATE takes the write lock when a transaction starts, so two writers queue up instead
        # of failing with "database is locked" when a reader tries to upgrade; WAL lets reads go on
        # while one process writes.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
    elif config["ENGINE"] == "django.db.backends.postgresql":
        config.setdefault("OPTIONS", {})
        # A server that is down refuses at once, but one that is unreachable (a network failure, a
        # host that does not answer) would keep a request waiting for the system's TCP timeout,
        # minutes: give up after DB_CONNECT_TIMEOUT seconds and answer 503 (web/middleware.py).
        config["OPTIONS"].setdefault("connect_timeout", env_int("DB_CONNECT_TIMEOUT", 5, minimum=1))
        # A persistent connection broken by a server restart is noticed and replaced before use.
        config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# Without collectstatic (demo, development) WhiteNoise serves straight from the apps' folders.
WHITENOISE_USE_FINDERS = True
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"
FILE_UPLOAD_PERMISSIONS = 0o640

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "minyi_session"
CSRF_COOKIE_HTTPONLY = True  # pages carry the token themselves (forms, and hx-headers for htmx)
CSRF_FAILURE_VIEW = "minyi.web.views.csrf_failure"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=60)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:home"
LOGOUT_REDIRECT_URL = "console:login"

# Login limits (web/logins.py, docs/production.md): after LOGIN_ACCOUNT_FREE_FAILURES wrong passwords
# in a row for one account, from any address, each further attempt waits LOGIN_ACCOUNT_DELAY_SECONDS,
# doubled with each wrong password up to LOGIN_ACCOUNT_MAX_DELAY_SECONDS; administrators are told once
# at LOGIN_ACCOUNT_ALERT_FAILURES. An address with LOGIN_ADDRESS_FAILURE_LIMIT wrong passwords (any user
# names) without a pause of LOGIN_LOCKOUT_MINUTES is locked for that long. A browser where a user logged
# in keeps a device cookie for LOGIN_DEVICE_DAYS that spares that user the account's delay, until
# LOGIN_DEVICE_FAILURE_LIMIT wrong passwords in a row from it. Counted in the database, so every
# application server sees them.
MINYI_LOGIN_ACCOUNT_FREE_FAILURES = env_int("LOGIN_ACCOUNT_FREE_FAILURES", 3, minimum=1)
MINYI_LOGIN_ACCOUNT_DELAY_SECONDS = env_int("LOGIN_ACCOUNT_DELAY_SECONDS", 30, minimum=1)
MINYI_LOGIN_ACCOUNT_MAX_DELAY_SECONDS = env_int("LOGIN_ACCOUNT_MAX_DELAY_SECONDS", 600, minimum=1)
MINYI_LOGIN_ACCOUNT_ALERT_FAILURES = env_int("LOGIN_ACCOUNT_ALERT_FAILURES", 10, minimum=1)
MINYI_LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 20, minimum=1)
MINYI_LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
MINYI_LOGIN_DEVICE_FAILURE_LIMIT = env_int("LOGIN_DEVICE_FAILURE_LIMIT", 5, minimum=1)
MINYI_LOGIN_DEVICE_DAYS = env_int("LOGIN_DEVICE_DAYS", 90, minimum=1)
# Behind a reverse proxy, the client's address is the last of X-Forwarded-For (set TRUST_PROXY=1).
TRUST_PROXY = env_bool("TRUST_PROXY", False)

# --- minyi's own settings ----------------------------------------------------------------------
# Working periods of a working day, local time: deadlines in working hours count only these.
MINYI_WORKING_HOURS = env_str("MINYI_WORKING_HOURS", "08:30-12:00,13:30-18:00")
try:  # a wrong value must stop start-up, not the first assignment of the day
    parse_periods(MINYI_WORKING_HOURS)
except ValueError as exc:
    raise EnvError(f"MINYI_WORKING_HOURS={MINYI_WORKING_HOURS!r}: {exc}") from None
# Where SMS and e-mail notifications go: a dotted path to a sender class (see notifications/senders.py).
MINYI_SMS_SENDER = env_str("MINYI_SMS_SENDER", "minyi.notifications.senders.LogSender")
MINYI_EMAIL_SENDER = env_str("MINYI_EMAIL_SENDER", "minyi.notifications.senders.LogSender")
# Citizen portal: photos per demand and their size. Limits per hour (portal/limits.py): demands per
# browser, per phone number and per address (a ceiling: a community may share one carrier address);
# look-ups per browser and per address; wrong query codes per tracking number, from all addresses.
MINYI_PORTAL_MAX_PHOTOS = env_int("MINYI_PORTAL_MAX_PHOTOS", 3, minimum=0)
MINYI_PORTAL_MAX_PHOTO_MB = env_int("MINYI_PORTAL_MAX_PHOTO_MB", 5, minimum=1)
MINYI_PORTAL_SUBMISSIONS_PER_HOUR = env_int("MINYI_PORTAL_SUBMISSIONS_PER_HOUR", 10, minimum=1)
MINYI_PORTAL_SUBMISSIONS_PER_PHONE = env_int("MINYI_PORTAL_SUBMISSIONS_PER_PHONE", 10, minimum=1)
MINYI_PORTAL_SUBMISSIONS_PER_ADDRESS = env_int("MINYI_PORTAL_SUBMISSIONS_PER_ADDRESS", 200, minimum=1)
MINYI_PORTAL_LOOKUPS_PER_HOUR = env_int("MINYI_PORTAL_LOOKUPS_PER_HOUR", 60, minimum=1)
MINYI_PORTAL_LOOKUPS_PER_ADDRESS = env_int("MINYI_PORTAL_LOOKUPS_PER_ADDRESS", 1000, minimum=1)
MINYI_PORTAL_WRONG_CODES_PER_NUMBER = env_int("MINYI_PORTAL_WRONG_CODES_PER_NUMBER", 100, minimum=1)
MINYI_PORTAL_WRONG_CODES_PER_NUMBER_AND_ADDRESS = env_int(
    "MINYI_PORTAL_WRONG_CODES_PER_NUMBER_AND_ADDRESS", 5, minimum=1
)
# Caller history (来电历史): the most different phone numbers one operator may look up within an hour.
MINYI_CALLER_LOOKUPS_PER_HOUR = env_int("MINYI_CALLER_LOOKUPS_PER_HOUR", 60, minimum=1)
# Rows per page in console lists, and the most rows one export may hold.
MINYI_PAGE_SIZE = env_int("MINYI_PAGE_SIZE", 25, minimum=5)
MINYI_EXPORT_MAX_ROWS = env_int("MINYI_EXPORT_MAX_ROWS", 100_000, minimum=1)
# Batch actions of the console (批量交办/受理/催办): the most cases one batch may hold.
MINYI_BATCH_MAX_CASES = env_int("MINYI_BATCH_MAX_CASES", 200, minimum=1)
# Open interfaces. Webhooks: how far a signed request's timestamp may be from our clock (seconds).
# Idempotency-Key answers are replayed for this many hours. Open311: the jurisdiction_id this server
# answers for (empty: any or none), and whether GET requests without an api_key are answered.
MINYI_API_PAGE_SIZE = env_int("MINYI_API_PAGE_SIZE", 50, minimum=1)
MINYI_WEBHOOK_TOLERANCE_SECONDS = env_int("MINYI_WEBHOOK_TOLERANCE_SECONDS", 300, minimum=10)
MINYI_IDEMPOTENCY_HOURS = env_int("MINYI_IDEMPOTENCY_HOURS", 24, minimum=1)
MINYI_OPEN311_JURISDICTION = env_str("MINYI_OPEN311_JURISDICTION", "")
MINYI_OPEN311_PUBLIC_READ = env_bool("MINYI_OPEN311_PUBLIC_READ", True)
# Bulk import: the most rows one file may hold.
MINYI_IMPORT_MAX_ROWS = env_int("MINYI_IMPORT_MAX_ROWS", 200_000, minimum=1)
# Category suggestion: the least history it learns from (handled cases with a category, and cases per
# category before a thin one is learned as its parent), and how often each process asks which model
# version is active (seconds).
MINYI_CLASSIFIER_MIN_CASES = env_int("MINYI_CLASSIFIER_MIN_CASES", 200, minimum=2)
MINYI_CLASSIFIER_MIN_PER_CATEGORY = env_int("MINYI_CLASSIFIER_MIN_PER_CATEGORY", 20, minimum=2)
MINYI_CLASSIFIER_RECHECK_SECONDS = env_int("MINYI_CLASSIFIER_RECHECK_SECONDS", 30, minimum=0)
# Similar cases: how far back to look (days), and the least keyword similarity (0–1, cosine) to list.
# Wall screens (大屏: the dashboard's and the projects wall chart's): seconds between two refreshes of
# their figures (fetched in the background and swapped in, without reloading the page).
MINYI_WALL_REFRESH_SECONDS = env_int("MINYI_WALL_REFRESH_SECONDS", 120, minimum=10)
# The measures and the weights of the score (a TOML file; empty: minyi/stats/measures.toml).
MINYI_MEASURES_FILE = env_str("MINYI_MEASURES_FILE", "")
# The least cases (the measures file's score.sample, 应办结 by default) a unit needs in a period to be
# ranked by its score; fewer: shown as 样本不足. Empty: the measures file's score.min_cases (10).
MINYI_RANKING_MIN_CASES = (
    env_int("MINYI_RANKING_MIN_CASES", 0, minimum=1) if env_str("MINYI_RANKING_MIN_CASES").strip() else None
)
# PDF reports: a TrueType font with Chinese characters (empty: Noto Sans SC, brought by `make`).
MINYI_PDF_FONT = env_str("MINYI_PDF_FONT", "")
MINYI_PDF_FONT_BOLD = env_str("MINYI_PDF_FONT_BOLD", "")
MINYI_SIMILAR_DAYS = env_int("MINYI_SIMILAR_DAYS", 90, minimum=1)
MINYI_SIMILAR_MIN_SCORE = env_float("MINYI_SIMILAR_MIN_SCORE", 0.3, minimum=0.0, maximum=1.0)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "minyi.api.authentication.ApiKeyAuthentication",
        "minyi.api.authentication.StaffSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "minyi.api.parsers.JSONParser",  # the API's one JSON parser (api/parsers.py)
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "minyi.api.pagination.Pages",
    "EXCEPTION_HANDLER": "minyi.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    "DATETIME_FORMAT": "iso-8601",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "minyi API",
    "DESCRIPTION": "The REST API of minyi (民意): create, follow and handle cases from other systems. "
    "See docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {"StatusEnum": "minyi.cases.workflow.Status"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "minyi.api.schema.document_limits",  # 413, 414 and 431 on every operation
    ],
}

# Seconds between two scans of `minyi worker`.
MINYI_WORKER_INTERVAL = env_int("MINYI_WORKER_INTERVAL", 60, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "jieba": {"level": "WARNING"},
    },
}
