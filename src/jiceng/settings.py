"""Settings, all read from the environment in one place.

Every key is listed here with its type and default; see `.env.example` at the repository root.
Development defaults to an embedded SQLite file and a random secret key kept in the data directory;
production sets JICENG_DATABASE_URL and JICENG_SECRET_KEY and leaves JICENG_DEBUG off.
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
PRODUCTION = env_bool("JICENG_PRODUCTION", False)

# Keys anyone can read (in this repository, its documentation or its history): sessions, CSRF tokens, the signed
# calendar-feed and check-in links could all be forged with them. Only a DEBUG run on a developer's machine may
# use one (OWASP ASVS 6.4.1: secrets are not in source code).
PUBLIC_SECRET_KEYS = {
    "jiceng-development-only-key-not-for-production-use-0123456789",  # the default before keys were generated
    "change-me",  # .env.example
    "<50 random characters>",  # docs/deploy.md
}


def _local_secret_key(data_dir: Path) -> str:
    """A random key created on first start in DATA_DIR/secret_key (mode 0600) and read on every later start.

    This is what lets `jiceng demo` and a single-machine installation run with zero configuration without a
    public key. Created atomically (written aside, then linked into place), so processes starting together
    all end up with the one key that won.
    """
    import secrets

    path = data_dir / "secret_key"
    if not path.exists():
        scratch = data_dir / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50) + "\n")
        try:
            os.link(scratch, path)
        except FileExistsError:
            pass  # another process created it first: use theirs
        finally:
            scratch.unlink()
    key = path.read_text().strip()
    if len(key) < 50:
        raise ImproperlyConfigured(f"{path} holds no usable secret key: delete it to have a new one generated")
    return key


SECRET_KEY = os.environ.get("JICENG_SECRET_KEY", "").strip()
if not SECRET_KEY:
    if PRODUCTION:
        # Every web process and host must share one key: production names it explicitly.
        raise ImproperlyConfigured("JICENG_SECRET_KEY must be set when JICENG_PRODUCTION is on")
    SECRET_KEY = _local_secret_key(DATA_DIR)
if SECRET_KEY in PUBLIC_SECRET_KEYS and not DEBUG:
    raise ImproperlyConfigured(
        "JICENG_SECRET_KEY is a publicly known example value; refusing to start with it unless JICENG_DEBUG=1. "
        "Set 50 random characters (python3 -c 'import secrets; print(secrets.token_urlsafe(50))'), or unset it "
        "to have a random key kept in JICENG_DATA_DIR/secret_key."
    )

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
    "jiceng.holidays",
    "jiceng.places",
    "jiceng.enterprises",
    "jiceng.organizations",
    "jiceng.members",
    "jiceng.departments",  # district departments that streets hand demands and follow-ups to (签收/退单)
    "jiceng.demands",
    "jiceng.risk",
    "jiceng.matching",
    "jiceng.venues",
    "jiceng.activities",
    "jiceng.governance",
    "jiceng.stations",  # service stations, 500 m service circles and the map
    "jiceng.matrix",  # the 3×3 matrix tags and their report (columns of activities and projects, no models)
    "jiceng.grids",
    "jiceng.portal",  # public pages: /p/<place id>/ and its QR poster, the public activity list (no models)
    "jiceng.channels",  # notification channels (e-mail, SMS, WeCom robots), delivery log, SMS codes, registration
    "jiceng.operations",  # demo, seed, bench, backup, restore: orchestration above the domain apps
    "jiceng.workbench",  # each role's home page, assembled from the domain apps (also above them)
    "jiceng.screen",  # the live big screen and the demand roll-ups it reads (above the domain apps)
    "jiceng.reports",  # the reports that go upward (党内统计, the three lists' and the demands' year): above them too
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "jiceng.core.csp.ContentSecurityPolicyMiddleware",
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

# Inputs and selects drawn in Python, the same HTML as Django's widget templates (core/widgets.py).
FORM_RENDERER = "jiceng.core.widgets.FastWidgetRenderer"
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
                "jiceng.holidays.context_processors.calendar_warning",
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
    # Connections are kept (60 s, as for PostgreSQL): a new SQLite connection per request re-ran the PRAGMAs,
    # registered Django's SQL functions again and started with an empty page cache, so every request read its
    # index pages afresh (at city scale /healthz gave 390 requests/s against PostgreSQL's 2,000).
    DATABASES["default"]["CONN_MAX_AGE"] = 60
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The planner's default cost of a random page read (4) is for spinning disks: with it, a district's counts
    # read all 300,000 member rows instead of its 26,000 by index (95 ms against 54 ms). On SSD, or with the data
    # in memory, set JICENG_PG_RANDOM_PAGE_COST=1.1 (PostgreSQL manual, 20.7.2; docs/deploy.md, decision 041) —
    # or the server's own setting. Not the default: on tables never analyzed (a test's rows inside its
    # transaction) the cheaper random reads led the planner to nested loops that took minutes.
    _page_cost = os.environ.get("JICENG_PG_RANDOM_PAGE_COST", "").strip()
    if _page_cost:
        _options = DATABASES["default"].setdefault("OPTIONS", {})
        _options["options"] = f"{_options.get('options', '')} -c random_page_cost={float(_page_cost)}".strip()
    # How many joined tables the planner may reorder (PostgreSQL manual, 19.7.4: join_collapse_limit, default 8).
    # A demand's page joins nine tables (its category twice, place, units, assignee, department): trying their
    # orders took 5–7 ms of planning against 0.5 ms of execution; with 4, 1 ms. Every query of the 264 pages the
    # sweep's street officer and district admin open planned and ran as fast or faster with 4 (decision 081).
    # An empty value keeps the server's own setting.
    _collapse = os.environ.get("JICENG_PG_JOIN_COLLAPSE_LIMIT", "4").strip()
    if _collapse:
        _options = DATABASES["default"].setdefault("OPTIONS", {})
        _options["options"] = f"{_options.get('options', '')} -c join_collapse_limit={int(_collapse)}".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "accounts:login"
# Django's model backend, with the signed-in user's row, scope and unread count kept across requests (decision 083).
AUTHENTICATION_BACKENDS = ["jiceng.accounts.identity.KeptIdentityBackend"]
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
# Working days a department has to sign for (签收) work handed to it before it is escalated: the default of each
# new department (each department keeps its own limit as data).
DEPARTMENT_SIGN_DAYS = int(os.environ.get("JICENG_DEPARTMENT_SIGN_DAYS", "1"))

SECURE_SSL_REDIRECT = env_bool("JICENG_SSL_REDIRECT", PRODUCTION)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("JICENG_SECURE_COOKIES", PRODUCTION)
SECURE_HSTS_SECONDS = int(os.environ.get("JICENG_HSTS_SECONDS", "31536000" if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("JICENG_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("JICENG_HSTS_PRELOAD", PRODUCTION)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
# Reverse proxies (addresses or CIDR blocks) whose X-Forwarded-For / X-Real-IP name the client: every address
# that limits, throttles or audits per client goes through jiceng.core.network.client_ip. Empty: trust none.
TRUSTED_PROXIES = env_list("JICENG_TRUSTED_PROXIES", "")
try:
    from jiceng.core.network import parse_networks

    parse_networks(TRUSTED_PROXIES)
except ValueError as exc:
    raise ImproperlyConfigured(f"JICENG_TRUSTED_PROXIES: {exc}") from exc
# Content-Security-Policy (jiceng.core.csp): sent as report-only while trying a policy change on a live site.
CSP_REPORT_ONLY = env_bool("JICENG_CSP_REPORT_ONLY", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("JICENG_DEBUG must be off when JICENG_PRODUCTION is on")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "jiceng.accounts.identity.KeptTokenAuthentication",
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
    # Writes are limited per user, or per client address when not logged in (core/throttling.py; reads are not).
    "DEFAULT_THROTTLE_CLASSES": ["jiceng.core.throttling.WriteThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user_write": os.environ.get("JICENG_THROTTLE_USER_WRITES", "60/min"),
        "anon_write": os.environ.get("JICENG_THROTTLE_ANON_WRITES", "20/min"),
    },
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
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "jiceng.core.throttling.document_throttled_writes"],
    # Choice sets that share a field name get explicit, stable schema names.
    "ENUM_NAME_OVERRIDES": {
        "DemandStatusEnum": "jiceng.demands.models.DemandStatus",
        "CallbackResultEnum": "jiceng.demands.models.CallbackResult",
        "DepartmentStateEnum": "jiceng.departments.models.DepartmentState",
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

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Write-throttle counts: a file cache, shared by every worker process on the machine (core/throttling.py).
    "throttle": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                 "LOCATION": str(DATA_DIR / "cache" / "throttle"), "OPTIONS": {"MAX_ENTRIES": 100_000}},
    # Small stamps every worker process must agree on (e.g. the pioneer boards' version, members/pioneer.py).
    "shared": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
               "LOCATION": str(DATA_DIR / "cache" / "shared"), "OPTIONS": {"MAX_ENTRIES": 20_000}},
    # Results every worker process shares, kept under the change stamps of what they read (core/reuse.py
    # KeptByPart: a street officer's workbench).
    "kept": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
             "LOCATION": str(DATA_DIR / "cache" / "kept"), "OPTIONS": {"MAX_ENTRIES": 20_000}},
    # Sessions read from here first, the database behind it (SESSION_ENGINE cached_db): one query less a page.
    "sessions": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                 "LOCATION": str(DATA_DIR / "cache" / "sessions"), "OPTIONS": {"MAX_ENTRIES": 20_000}},
}
# Several machines without a shared data directory: JICENG_SESSION_ENGINE=django.contrib.sessions.backends.db, so
# that a sign-out on one machine is seen on every one (docs/deploy.md, "Caches in the data directory").
SESSION_ENGINE = os.environ.get("JICENG_SESSION_ENGINE", "django.contrib.sessions.backends.cached_db")
SESSION_CACHE_ALIAS = "sessions"

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

# The TrueType/OpenType font with Chinese glyphs that PDF reports are written in (core/pdf.py, docs/deploy.md).
# Empty: the first of the usual Debian CJK fonts found (fonts-wqy-microhei, fonts-wqy-zenhei, fonts-noto-cjk).
JICENG_PDF_FONT = os.environ.get("JICENG_PDF_FONT", "").strip()

# Login back-off (both the application's login and /admin/; accounts/services.py, docs/deploy.md): after
# LOGIN_MAX_FAILURES failures for one username from one client address, or LOGIN_ADDRESS_MAX_FAILURES from one
# address over all usernames, attempts are refused for LOGIN_BACKOFF_SECONDS, doubling with each further failure
# up to LOGIN_BACKOFF_MAX_SECONDS. Failures older than LOGIN_FAILURE_WINDOW_SECONDS are forgotten.
LOGIN_MAX_FAILURES = int(os.environ.get("JICENG_LOGIN_MAX_FAILURES", "5"))
LOGIN_ADDRESS_MAX_FAILURES = int(os.environ.get("JICENG_LOGIN_ADDRESS_MAX_FAILURES", "20"))
LOGIN_BACKOFF_SECONDS = int(os.environ.get("JICENG_LOGIN_BACKOFF_SECONDS", "30"))
LOGIN_BACKOFF_MAX_SECONDS = int(os.environ.get("JICENG_LOGIN_BACKOFF_MAX_SECONDS", "900"))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("JICENG_LOGIN_FAILURE_WINDOW_SECONDS", "86400"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # API keys never reach a log line (core/logmask.py): runserver logs request URLs, with their query strings.
    "filters": {"mask_secrets": {"()": "jiceng.core.logmask.MaskSecretsFilter"}},
    "formatters": {"django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}",
                                     "style": "{"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_secrets"]},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server", "filters": ["mask_secrets"]},
    },
    "loggers": {"django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False}},
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
    # 《中国共产党支部工作条例(试行)》(2018) 第二章: a joint branch generally covers at most 5 units; a branch generally
    # has at most 50 members; 50–100 members suggest a 总支 and over 100 a 基层党委 (the same numbers in the 2019
    # 国有企业 and 党和国家机关 基层组织工作条例). The coverage report lists organizations past these.
    "JOINT_BRANCH_MAX_UNITS": 5,
    "BRANCH_MAX_MEMBERS": 50,
    "GENERAL_BRANCH_MAX_MEMBERS": 100,
    "TRANSFER_VALID_MONTHS": 3,  # the longest a letter may be valid; per destination: `LetterValidity` (data)
    "INACTIVITY_MONTHS": 6,
    "VENUES_BOOKING_HORIZON_DAYS": 730,  # how far ahead a room may be booked
    # How long a computed 三会一课 report is reused (seconds; 0: never); any recorded change retires it at once.
    "COMPLIANCE_REPORT_SECONDS": 300,
    # How long a district's or the city's workbench overview (coverage and demands per area) is reused.
    "WORKBENCH_OVERVIEW_SECONDS": 300,
    # How long a street officer's workbench is kept at most; a write to the street retires it at once (decision 082).
    "WORKBENCH_STREET_SECONDS": 120,
    # How long a signed-in user's row, scope and unread count are kept at most; their writes retire them at once
    # (decision 083).
    "IDENTITY_SECONDS": int(os.environ.get("JICENG_IDENTITY_SECONDS", "300")),
    # The big screen (jiceng.screen): its slow panels are kept this long (retired by any recorded change); a stream
    # lasts this long before the browser reconnects, and asks for the roll-up version this often.
    "SCREEN_PANELS_SECONDS": 120,
    "SCREEN_STREAM_SECONDS": 25,
    "SCREEN_POLL_SECONDS": 1,
    # 一推三公示 (domain.md): each public notice runs at least this many working days unless a `NoticeRule` row
    # (data, per district) says otherwise.
    "GOVERNANCE_NOTICE_WORKING_DAYS": 5,
    # 500米党建服务圈 (seed 003): every building and park should have a service station within this many metres.
    "SERVICE_CIRCLE_RADIUS_M": int(os.environ.get("JICENG_SERVICE_CIRCLE_RADIUS_M", "500")),
    # The map's base (docs/deploy.md): a tile URL template of the network's own tile server, e.g.
    # https://tiles.example.gov.cn/{z}/{x}/{y}.png, and the datum its tiles use (wgs84, gcj02 or bd09). Empty: a
    # plain base drawn from the places' own coordinates, so the map makes no request beyond this server.
    "MAP_TILE_URL": os.environ.get("JICENG_MAP_TILE_URL", ""),
    "MAP_TILE_CRS": os.environ.get("JICENG_MAP_TILE_CRS", "wgs84"),
    "MAP_TILE_ATTRIBUTION": os.environ.get("JICENG_MAP_TILE_ATTRIBUTION", ""),
    "MAP_TILE_MAX_ZOOM": int(os.environ.get("JICENG_MAP_TILE_MAX_ZOOM", "18")),
}

# Notification channels (jiceng.channels, docs/deploy.md "Notification channels", decisions 071–073).
# WeCom (企业微信) group robot used for street-level events when no robot is configured as data for the street.
JICENG_WECOM_WEBHOOK = os.environ.get("JICENG_WECOM_WEBHOOK", "").strip()
# The site's address for links in robot messages, SMS and e-mail (e.g. https://jiceng.example.gov.cn).
JICENG_SITE_URL = os.environ.get("JICENG_SITE_URL", "").strip().rstrip("/")
# The SMS gateway: a JSON POST signed with HMAC-SHA256 (JICENG_SMS_KEY). No URL: "console" SMS, written to the
# delivery log and DATA_DIR/sms/outbox.log, so the demo registers people without a gateway.
JICENG_SMS_URL = os.environ.get("JICENG_SMS_URL", "").strip()
JICENG_SMS_KEY = os.environ.get("JICENG_SMS_KEY", "").strip()
JICENG_SMS_TEMPLATE = os.environ.get("JICENG_SMS_TEMPLATE", "").strip()
JICENG_SMS_TEMPLATES = {  # per purpose; each falls back to JICENG_SMS_TEMPLATE
    "code": os.environ.get("JICENG_SMS_TEMPLATE_CODE", "").strip() or JICENG_SMS_TEMPLATE,
    "notice": os.environ.get("JICENG_SMS_TEMPLATE_NOTICE", "").strip() or JICENG_SMS_TEMPLATE,
}
# How deliveries run: "auto" (the task queue when a consumer runs, i.e. HUEY is not immediate; otherwise a
# thread in the web process, decision 071), "queue", "thread" or "inline" (tests: after commit, in the request).
JICENG_DELIVERY_MODE = os.environ.get("JICENG_DELIVERY_MODE", "auto").strip()
JICENG_DELIVERY_TIMEOUT = float(os.environ.get("JICENG_DELIVERY_TIMEOUT", "5"))  # seconds per HTTP attempt
JICENG_DELIVERY_RETRIES = int(os.environ.get("JICENG_DELIVERY_RETRIES", "3"))  # after the first attempt
JICENG_DELIVERY_BACKOFF = float(os.environ.get("JICENG_DELIVERY_BACKOFF", "30"))  # 30 s, 2 min, 8 min (×4)
# One-time SMS codes (channels/verification.py): at most one per mobile per SMS_CODE_INTERVAL seconds and
# SMS_CODES_PER_ADDRESS per client address per hour; five wrong codes lock the mobile for SMS_LOCK_MINUTES.
SMS_CODE_INTERVAL = int(os.environ.get("JICENG_SMS_CODE_INTERVAL", "60"))
SMS_CODES_PER_ADDRESS = int(os.environ.get("JICENG_SMS_CODES_PER_ADDRESS", "10"))
SMS_LOCK_MINUTES = int(os.environ.get("JICENG_SMS_LOCK_MINUTES", "30"))
