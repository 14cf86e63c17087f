"""WARD FLUX settings, read from the environment through django-environ.

With no environment set this is the *embedded default*: SQLite (WAL) in var/,
the filesystem Celery broker in var/broker/, the database cache and the SQL
metrics store, so a newcomer needs nothing but Python. Production sets
DATABASE_URL, CELERY_BROKER_URL, CACHE_URL, METRICS_BACKEND and the secrets.
"""

from datetime import timedelta
from pathlib import Path

import environ

from .secrets import env_raw, local_encryption_key, local_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
VAR_DIR = Path(env.str("WARD_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env_raw.str("SECRET_KEY", default="") or local_secret_key(VAR_DIR)
# Comma-separated Fernet keys, newest first: MultiFernet decrypts with any, encrypts with the first.
WARD_ENCRYPTION_KEY = env_raw.str("WARD_ENCRYPTION_KEY", default="") or local_encryption_key(
    VAR_DIR
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "django_celery_beat",
    "wardflux",
    "monitoring",
    "alerts",
    "discovery",
    "zabbix_bridge",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wardflux.middleware.ApiLatencyMiddleware",
]

ROOT_URLCONF = "wardflux.urls"
WSGI_APPLICATION = "wardflux.wsgi.application"

TEMPLATES = [
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

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'wardflux.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web, the worker and beat read while one of them writes;
    # IMMEDIATE transactions take the write lock up front instead of failing mid-way.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
    )
    DATABASES["default"].setdefault("TEST", {})["NAME"] = str(VAR_DIR / "test.sqlite3")
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Counter state (previous raw values) must be seen by every worker: Redis in production,
# the database cache on the embedded default.
CACHES = {"default": env.cache("CACHE_URL", default="dbcache://wardflux_cache")}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
LOGIN_URL = "/admin/login/"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["wardflux.permissions.RolePermission"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"login": env.str("LOGIN_THROTTLE_RATE", default="10/min")},
    # 401 (not 403) for anonymous requests: JWT's authenticate_header sets WWW-Authenticate.
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=5)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=1)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "WARD FLUX API",
    "DESCRIPTION": "Network monitoring: devices, SNMP credentials, templates, metrics, alerts.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Celery -----------------------------------------------------------------------------
# Embedded default: kombu's filesystem transport, a folder of message files that the web,
# the worker and beat processes share on one machine (memory:// would not cross processes).
# What it cannot do: remote control (celery inspect/ping, broadcast) is unreliable on it and
# it cannot span machines; health therefore judges workers by the heartbeat task they run
# (wardflux.tasks.heartbeat) instead of a broadcast ping. Production uses Redis.
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
        # Broadcast (remote control) files; kombu would otherwise put them in the cwd.
        "control_folder": str(BROKER_DIR / "control"),
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_BEAT_SCHEDULER = "wardflux.beat:WardScheduler"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)

# --- Monitoring ---------------------------------------------------------------------------
METRICS_BACKEND = env.str("METRICS_BACKEND", default="sql")
VICTORIA_URL = env.str("VICTORIA_URL", default="http://127.0.0.1:8428")
METRICS_HISTORY_DAYS = env.int("METRICS_HISTORY_DAYS", default=14)
METRICS_TRENDS_DAYS = env.int("METRICS_TRENDS_DAYS", default=365)
METRICS_SPOOL_DIR = Path(env.str("METRICS_SPOOL_DIR", default=str(VAR_DIR / "spool")))
METRICS_SPOOL_MAX_BYTES = env.int("METRICS_SPOOL_MAX_BYTES", default=512 * 1024 * 1024)
# The SQL store's database alias: "default" (beside the configuration) unless
# METRICS_DATABASE_URL gives history its own database (migrate it with --database=metrics).
if env.str("METRICS_DATABASE_URL", default=""):
    DATABASES["metrics"] = env.db("METRICS_DATABASE_URL")
    if DATABASES["metrics"]["ENGINE"] != "django.db.backends.sqlite3":
        DATABASES["metrics"].setdefault("CONN_MAX_AGE", 60)
        DATABASES["metrics"]["CONN_HEALTH_CHECKS"] = True
METRICS_SQL_DATABASE = env.str(
    "METRICS_SQL_DATABASE", default="metrics" if "metrics" in DATABASES else "default"
)
DATABASE_ROUTERS = ["monitoring.metrics.database.MetricsRouter"]
# The metrics store is its own app (label `metrics`): tables, migrations, periodic tasks.
INSTALLED_APPS += ["monitoring.metrics"]

SNMP_MAX_OIDS_PER_GET = env.int("SNMP_MAX_OIDS_PER_GET", default=20)
SNMP_MAX_IN_FLIGHT_PER_DEVICE = env.int("SNMP_MAX_IN_FLIGHT_PER_DEVICE", default=4)
SNMP_UNREACHABLE_AFTER = env.int("SNMP_UNREACHABLE_AFTER", default=2)

ICMP_INTERVAL_SECONDS = env.int("ICMP_INTERVAL_SECONDS", default=30)
ICMP_COUNT = env.int("ICMP_COUNT", default=3)
ICMP_SPACING_MS = env.int("ICMP_SPACING_MS", default=200)
ICMP_TIMEOUT_MS = env.int("ICMP_TIMEOUT_MS", default=1000)
ICMP_DOWN_AFTER = env.int("ICMP_DOWN_AFTER", default=2)
ICMP_BATCH_SIZE = env.int("ICMP_BATCH_SIZE", default=500)
# Pacing cap of ICMP sweeps (monitor and discovery), echo requests a second; why 100,000
# and when to lower it: monitoring/icmp/sweep.py, DEFAULT_RATE_PPS.
ICMP_RATE_PPS = env.int("ICMP_RATE_PPS", default=100_000)

DISCOVERY_MAX_ADDRESSES = env.int("DISCOVERY_MAX_ADDRESSES", default=65536)
# Reverse DNS of live hosts (bounded per lookup); off where no resolver should be asked.
DISCOVERY_REVERSE_DNS = env.bool("DISCOVERY_REVERSE_DNS", default=True)

# /metrics: scraped with this bearer token, or from these addresses.
METRICS_TOKEN = env_raw.str("METRICS_TOKEN", default="")
METRICS_ALLOW_FROM = env.list("METRICS_ALLOW_FROM", default=["127.0.0.1", "::1"])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# --- API additions (foundation) ------------------------------------------------------------
# ?page_size= up to 1000 (wardflux/api/pagination.py).
REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"] = "wardflux.api.pagination.WardPagination"
# The schema describes every endpoint: logged-in users only, like the rest of /api/.
# The Swagger UI page itself (HTML, no data) is public; it fetches the schema with the session.
SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"] = ["rest_framework.permissions.IsAuthenticated"]
# Deleting a credential still used by devices: 409 naming them, not a 500.
REST_FRAMEWORK["EXCEPTION_HANDLER"] = "wardflux.api.exceptions.exception_handler"
# Ordering with a tie-breaker so pages never overlap (wardflux/api/ordering.py).
REST_FRAMEWORK["DEFAULT_FILTER_BACKENDS"] = [
    "django_filters.rest_framework.DjangoFilterBackend",
    "rest_framework.filters.SearchFilter",
    "wardflux.api.ordering.StableOrderingFilter",
]
# SNMP polling engine (monitoring/polling.py): a device's poll is abandoned after this
# many seconds (or 90% of its interval, whichever is shorter).
SNMP_POLL_DEADLINE_S = env.float("SNMP_POLL_DEADLINE_S", default=60.0)
# --- Alerts -------------------------------------------------------------------------------
# Links in notifications point here. Retries: base, doubling, capped; 1 s doubling to 30 s
# reaches a receiver that was down for half a minute within about a minute.
ALERTS_CONSOLE_URL = env.str("ALERTS_CONSOLE_URL", default="http://127.0.0.1:8000")
ALERTS_RETRY_BASE_S = env.float("ALERTS_RETRY_BASE_S", default=1.0)
ALERTS_RETRY_CAP_S = env.float("ALERTS_RETRY_CAP_S", default=30.0)
ALERTS_MAX_RETRIES = env.int("ALERTS_MAX_RETRIES", default=8)
ALERTS_HTTP_TIMEOUT_S = env.float("ALERTS_HTTP_TIMEOUT_S", default=10.0)
ALERTS_EMAIL_FROM = env.str("ALERTS_EMAIL_FROM", default="wardflux@localhost")
# --- Demo and embedded default (issue 11) -------------------------------------------------
# The database cache culls a third of its rows once it holds MAX_ENTRIES (Django's default:
# 300). Counter state is one row per counter (a 48-port switch alone has ~200), so the
# default culled counters (no rates) and the heartbeat stamps (health said workers down).
if CACHES["default"]["BACKEND"].endswith("DatabaseCache"):
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 1_000_000)
# Redis Sentinel: CELERY_BROKER_URL=sentinel://s1:26379;sentinel://s2:26379;... names the
# sentinels; kombu needs the monitored master's name beside them (deploy/README.md).
if CELERY_BROKER_URL.startswith("sentinel://"):
    CELERY_BROKER_TRANSPORT_OPTIONS["master_name"] = env.str(
        "CELERY_SENTINEL_MASTER", default="wardflux"
    )
# --- Web console (console/) -------------------------------------------------------------
# daphne first: its runserver serves ASGI (WebSockets) in `make demo`; channels for the live
# board; django_htmx for request.htmx; console holds the operators' pages.
INSTALLED_APPS = ["daphne", *INSTALLED_APPS, "channels", "django_htmx", "console"]
MIDDLEWARE += ["django_htmx.middleware.HtmxMiddleware"]
ASGI_APPLICATION = "wardflux.asgi.application"
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
# Serve static files straight from the apps (no collectstatic step on the embedded default).
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=True)
# Live board: Redis channel layer when a URL is set (production, several web processes);
# in-memory otherwise (one process: the board's watcher still catches other processes' writes).
CHANNEL_LAYER_URL = env.str("CHANNEL_LAYER_URL", default="") or env.str("REDIS_URL", default="")
CHANNEL_LAYERS = {
    "default": (
        {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [CHANNEL_LAYER_URL], "prefix": "wardflux:console"},
        }
        if CHANNEL_LAYER_URL
        else {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    )
}
# Seconds between the live board's checks for changes written by other processes.
CONSOLE_WATCH_INTERVAL_S = env.float("CONSOLE_WATCH_INTERVAL_S", default=5.0)
# --- Faults (tests/e2e) --------------------------------------------------------------------
# On Redis a task whose worker died without acking (acks late) is handed out again once
# it has been unacked this long; it must exceed the longest poll (SNMP_POLL_DEADLINE_S).
# kombu looks for such messages every interval x throttle seconds (10 x 10 by default);
# throttle 1 makes it every CELERY_UNACKED_RESTORE_INTERVAL_S (one cheap ZRANGE).
if not CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS.update(
        visibility_timeout=env.int("CELERY_VISIBILITY_TIMEOUT_S", default=3600),
        unacked_restore_interval=env.int("CELERY_UNACKED_RESTORE_INTERVAL_S", default=10),
        unacked_restore_throttle=1,
    )
