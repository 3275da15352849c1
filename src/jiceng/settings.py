"""Settings, all read from the environment in one place.

Every key is listed here with its type and default; see `.env.example` at the repository root.
Development defaults to an embedded SQLite file; production sets JICENG_DATABASE_URL and
JICENG_SECRET_KEY and leaves JICENG_DEBUG off.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("JICENG_DATA_DIR", Path.cwd() / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
(DATA_DIR / "static").mkdir(exist_ok=True)
DEBUG = env_bool("JICENG_DEBUG", False)
# A fixed development key is only acceptable when DEBUG is on; production must set its own.
SECRET_KEY = os.environ.get("JICENG_SECRET_KEY", "")
if not SECRET_KEY:
    if env_bool("JICENG_PRODUCTION", False):
        raise ImproperlyConfigured("JICENG_SECRET_KEY must be set when JICENG_PRODUCTION is on")
    # Fine for the demo and tests on one machine; production refuses to start without its own key.
    SECRET_KEY = "jiceng-development-only-key-not-for-production-use-0123456789"  # noqa: S105

ALLOWED_HOSTS = env_list("JICENG_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("JICENG_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI files served locally: no CDN on closed networks
    "simple_history",
    "huey.contrib.djhuey",
    "jiceng.core",
    "jiceng.accounts",
    "jiceng.places",
    "jiceng.enterprises",
    "jiceng.organizations",
    "jiceng.members",
    "jiceng.demands",
    "jiceng.risk",
    "jiceng.matching",
    "jiceng.venues",
    "jiceng.activities",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jiceng.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "jiceng.core.middleware.BadNumberMiddleware",
]

ROOT_URLCONF = "jiceng.urls"
WSGI_APPLICATION = "jiceng.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "jiceng.core.context_processors.navigation",
            ],
        },
    },
]

_default_db = f"sqlite:///{DATA_DIR / 'jiceng.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("JICENG_DATABASE_URL", _default_db), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while a long import or seed writes.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "zh-hans"
# Each language is named in itself, so a user can always find their own on the switcher.
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Production (behind TLS) turns every transport protection on; each can still be set on its own.
PRODUCTION = env_bool("JICENG_PRODUCTION", False)
SECURE_SSL_REDIRECT = env_bool("JICENG_SSL_REDIRECT", PRODUCTION)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("JICENG_SECURE_COOKIES", PRODUCTION)
SECURE_HSTS_SECONDS = int(os.environ.get("JICENG_HSTS_SECONDS", "31536000" if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("JICENG_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("JICENG_HSTS_PRELOAD", PRODUCTION)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("JICENG_DEBUG must be off when JICENG_PRODUCTION is on")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "jiceng.core.drf.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "jiceng.core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "jiceng.core.drf.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"login": "10/min", "anon": "60/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Jiceng API",
    "DESCRIPTION": "基层党建与楼宇服务平台 API — grassroots party building and building services.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets that share a field name get explicit, stable schema names.
    "ENUM_NAME_OVERRIDES": {
        "DemandStatusEnum": "jiceng.demands.models.DemandStatus",
        "DemandSourceEnum": "jiceng.demands.models.DemandSource",
        "RequesterKindEnum": "jiceng.demands.models.RequesterKind",
        "MemberStatusEnum": "jiceng.members.models.member.MemberStatus",
        "DuesCategoryEnum": "jiceng.members.models.dues.DuesCategory",
        "ListCategoryEnum": "jiceng.matching.models.Category",
        "ListStatusEnum": "jiceng.matching.models.ListStatus",
        "ProjectStatusEnum": "jiceng.matching.models.ProjectStatus",
        "ListRequesterKindEnum": "jiceng.matching.models.RequesterKind",
        "BookingStatusEnum": "jiceng.venues.choices.BookingStatus",
        "ActivityStatusEnum": "jiceng.activities.models.ActivityStatus",
        "SignUpStatusEnum": "jiceng.activities.models.SignUpStatus",
        "FollowUpStatusEnum": "jiceng.risk.choices.FollowUpStatus",
        "PlaceKindEnum": "jiceng.places.models.PlaceKind",
        "OrgKindEnum": "jiceng.organizations.models.OrgKind",
        "EnterpriseKindEnum": "jiceng.enterprises.models.EnterpriseKind",
        "UnitKindEnum": "jiceng.matching.models.UnitKind",
        "ClaimKindEnum": "jiceng.matching.models.ClaimKind",
        "ActivityKindEnum": "jiceng.activities.models.ActivityKind",
        "ClubKindEnum": "jiceng.activities.models.ClubKind",
        "ComplianceStatusEnum": "jiceng.activities.compliance.STATUSES",
        "SourceKindEnum": "jiceng.risk.choices.SourceKind",
    },
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

HUEY = {
    "huey_class": "huey.SqliteHuey",
    "name": "jiceng",
    "filename": str(DATA_DIR / "huey.sqlite3"),
    "immediate": env_bool("JICENG_TASKS_IMMEDIATE", DEBUG),
}
if os.environ.get("JICENG_REDIS_URL"):
    HUEY = {"huey_class": "huey.RedisHuey", "name": "jiceng", "url": os.environ["JICENG_REDIS_URL"]}

# Default: mail goes to files under DATA_DIR/mail (readable, and never mixed into command output);
# production sets an SMTP backend.
EMAIL_BACKEND = os.environ.get("JICENG_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("JICENG_EMAIL_FILE_PATH", str(DATA_DIR / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("JICENG_FROM_EMAIL", "jiceng@localhost")

# Login throttling: failed attempts per username+IP within the window before a lock-out.
LOGIN_MAX_FAILURES = int(os.environ.get("JICENG_LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCKOUT_SECONDS = int(os.environ.get("JICENG_LOGIN_LOCKOUT_SECONDS", "300"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("JICENG_LOG_LEVEL", "WARNING")},
}

# Domain thresholds (domain.md); each one configurable here and nowhere else.
JICENG = {
    "COVERAGE_ENTERPRISE_MIN_EMPLOYEES": 50,
    "COVERAGE_SOCIAL_ORG_MIN_STAFF": 30,
    "BRANCH_MIN_FULL_MEMBERS": 3,
    "COMMITTEE_MIN_FULL_MEMBERS": 7,
    "COMMITTEE_MIN_SIZE": 3,
    "TERM_WARNING_DAYS": 90,
    "TERM_YEARS": 5,
    "JOINT_BRANCH_MAX_UNITS": 5,
    "TRANSFER_VALID_MONTHS": 3,
    "INACTIVITY_MONTHS": 6,
    "VENUES_BOOKING_HORIZON_DAYS": 730,  # how far ahead a room may be booked
}
