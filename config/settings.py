"""The platform's one settings module, driven by environment variables.

With no variables set it runs the embedded default (shared/DESIGN.md §4.4): a SQLite file
under var/, an in-process channel layer and a Celery broker on the filesystem. With
DATABASE_URL and REDIS_URL it runs on PostgreSQL, channels-redis and Celery on Redis.
Bad values stop the process at start-up (environs raises on anything it cannot parse).
"""

from datetime import timedelta
from pathlib import Path

import redis.exceptions
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from environs import Env

BASE_DIR = Path(__file__).resolve().parent.parent
env = Env()
env.read_env(str(BASE_DIR / ".env"), recurse=False)
VAR_DIR = Path(env.str("DJANGO_VAR_DIR", str(BASE_DIR / "var")))

DEFAULT_SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105

DEBUG = env.bool("DJANGO_DEBUG", True)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", DEFAULT_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEFAULT_SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_DEBUG=0 (production mode) needs DJANGO_SECRET_KEY: the default key is public.")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "axes",
    "channels",
    "coordination",
    "coordination.trust",
    # The mechanisms, one app each (coordination/workflow/mechanisms.py): pages list them in this order.
    "coordination.mechanisms.assignment_sheets",
    "coordination.mechanisms.measure_notices",
    "coordination.mechanisms.release_notices",
    "coordination.mechanisms.health_codes",
    "coordination.mechanisms.insurance",
    "coordination.mechanisms.tracing_letters",
    "supplies",
    "supplies.chain",
    "notices",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "coordination.middleware.ChineseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns lockouts into a clear response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "coordination.context_processors.membership",
                "coordination.context_processors.navigation",
                "notices.context_processors.inbox",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": env.dj_db_url(
        "DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'platform.sqlite3'}",
        conn_max_age=env.int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the Celery worker writes; the timeout waits out
    # the other process's short write transactions instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool("DATABASE_POOL", False):
    # Under ASGI every request and every socket's database call runs in a worker thread and
    # would open (and close) a connection of its own; a pool per process keeps a few open.
    # Web processes only (config/asgi.py turns it on): a pool must not cross a fork, and
    # Celery's prefork workers fork after loading the settings.
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN", 2),
        "max_size": env.int("DATABASE_POOL_MAX", 16),
        "timeout": env.int("DATABASE_POOL_TIMEOUT", 10),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer, Celery broker, cache ---------------------------------------------
REDIS_URL = env.str("REDIS_URL", "")
if REDIS_URL:
    # Redis pub/sub: a group_send is one PUBLISH, read once by each web process and handed to
    # its sockets in memory. Nothing is queued in Redis for a socket that is away — the doorbell
    # only rings, the database is the mailbox (notices/doorbell.py) — so nothing is dropped over
    # a capacity either. The list-based RedisChannelLayer remains available through
    # CHANNEL_LAYER_BACKEND (bench/notices_fanout.py measured both).
    CHANNEL_LAYER_BACKEND = env.str("CHANNEL_LAYER_BACKEND", "channels_redis.pubsub.RedisPubSubChannelLayer")
    _redis_host = {
        "address": REDIS_URL,
        # A pooled connection idle for a few seconds is checked before use, so a Redis restart
        # costs a reconnect, not a failed request. redis-py 8 reads with a 5 s socket timeout by
        # default, which races channels-redis' 5 s BZPOPMIN under load (list-based layer).
        "health_check_interval": 2,
        "socket_timeout": 30,
        "retry_on_error": [redis.exceptions.ConnectionError, redis.exceptions.TimeoutError],
    }
    # Pub/sub channels are server-wide, not per Redis database: the prefix keeps two
    # deployments (or test runs) that share a Redis server from ringing each other's sockets.
    _redis_db = REDIS_URL.rsplit("/", 1)[-1]
    _layer_prefix = env.str("CHANNEL_LAYER_PREFIX", f"yrd.{DATABASES['default']['NAME']}.{_redis_db}.")
    CHANNEL_LAYERS = {
        "default": {"BACKEND": CHANNEL_LAYER_BACKEND, "CONFIG": {"hosts": [_redis_host], "prefix": _layer_prefix}}
    }
    if CHANNEL_LAYER_BACKEND.endswith("core.RedisChannelLayer"):
        # All sockets of one web process share one Redis list; at the default capacity (100) a
        # fan-out to hundreds of users silently drops the rings over it.
        CHANNEL_LAYERS["default"]["CONFIG"]["capacity"] = env.int("CHANNEL_LAYER_CAPACITY", 20000)
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", REDIS_URL)
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", "filesystem://")
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for folder in ("queue", "processed", "control"):
        (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    # Redis hands a message that a worker took and never acknowledged (a late-acknowledged
    # render whose worker's *main* process died; a countdown task held by a worker until it is
    # due) to another worker only after this long. Shorter would bring such a render back
    # sooner, but a task still running, or still waiting for its countdown, past it runs twice:
    # it must exceed the longest render (CIRCULAR_RENDER_TIME_LIMIT, checked below) and the
    # longest countdown (a webhook's retry: up to 32 minutes). Lost renders and events come
    # back sooner through their sweeps (requeue-circular-renders, relay-outbox), not the broker.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", 3600)}
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", 3.0)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "check-deadlines": {"task": "coordination.tasks.check_deadlines", "schedule": 60.0},
    "relay-outbox": {"task": "coordination.tasks.relay_outbox", "schedule": 30.0},
    "retry-webhooks": {"task": "notices.tasks.retry_webhooks", "schedule": 60.0},
    "expire-notices": {"task": "coordination.tasks.expire_notices", "schedule": crontab(minute=5)},
    "expire-credentials": {"task": "coordination.tasks.expire_credentials", "schedule": crontab(minute="*/10")},
    "purge-health-code-lists": {
        "task": "coordination.mechanisms.health_codes.tasks.purge_lists",
        "schedule": crontab(hour=3, minute=30),
    },
    "purge-idempotency-records": {"task": "coordination.tasks.purge_idempotency_records", "schedule": 3600.0},
    "daily-digests": {"task": "notices.tasks.send_daily_digests", "schedule": crontab(hour=8, minute=0)},
}
CELERY_TASK_PUBLISH_RETRY = False
# A late-acknowledged task (the renders, the outbox's deliveries: each safe to run twice) whose
# pool process is killed (SIGKILL, the OOM killer) goes back to the queue at once, for the
# next process, instead of being acknowledged as failed.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Two deployments (or test runs) sharing a Redis database keep their tasks apart by queue name.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", "celery")
# Notices: how often an open socket re-checks its session, and reads its mailbox in case a
# doorbell was lost (often in the embedded default, whose in-process layer cannot carry a
# ring from the worker process to the web process).
NOTICES_SESSION_CHECK_SECONDS = env.float("NOTICES_SESSION_CHECK_SECONDS", 60.0)
NOTICES_POLL_SECONDS = env.float("NOTICES_POLL_SECONDS", 30.0 if REDIS_URL else 3.0)
# E-mail (console unless an SMTP host is configured) and text messages.
EMAIL_HOST = env.str("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env.int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "noreply@yrd-coordination.invalid")
SMS_BACKEND = env.str("SMS_BACKEND", "notices.sms.ConsoleSmsBackend")
# The platform's public origin (README): links in e-mails, and the verification links and QR
# codes printed on every official document (SITE_URL + /documents/verify/<code>/).
SITE_URL = env.str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# The largest PDF the public verification page checks.
DOCUMENT_VERIFY_MAX_BYTES = env.int("DOCUMENT_VERIFY_MAX_BYTES", 20 * 2**20)
# Outbound webhooks: host patterns that may receive them (fnmatch), and hosts allowed although
# they resolve to internal addresses (a province's intranet system; plain http only for these).
WEBHOOK_ALLOWED_HOSTS = env.list("WEBHOOK_ALLOWED_HOSTS", ["qyapi.weixin.qq.com", "oapi.dingtalk.com", "*.gov.cn"])
WEBHOOK_ALLOWED_PRIVATE_HOSTS = env.list("WEBHOOK_ALLOWED_PRIVATE_HOSTS", [])
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", 5.0)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", 8)
# Idempotency-Key records are kept at least this long (shared/DESIGN.md §5).
IDEMPOTENCY_KEY_HOURS = env.int("IDEMPOTENCY_KEY_HOURS", 48)

# --- Authentication -------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = env.bool("AXES_VERBOSE", False)
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None  # no guardian anonymous user: anonymous people see nothing

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = VAR_DIR / "media"

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "coordination.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "coordination.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.ScopedRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "auth": env.str("API_AUTH_THROTTLE", "30/min"),
        # A checkpoint gate scans from one address: generous, but not an oracle for forgers.
        "credential_verify": env.str("API_CREDENTIAL_VERIFY_THROTTLE", "1200/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "长三角联防联控协同平台 API",
    "DESCRIPTION": "Yangtze River Delta joint-prevention coordination platform",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {"WorkflowPatternEnum": "coordination.models.catalogue.Pattern"},
}

# --- Security in production -----------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", "INFO")},
}

# --- Circulars: official PDF documents in the GB/T 9704-2012 layout (notices/circulars/) ------
# Font stacks per role, by fontconfig family or by a family declared below with its file; each
# stack ends with CIRCULAR_FALLBACK_FONT so a fallback never turns serif text into sans. A
# deployment points these at its licensed faces, e.g. CIRCULAR_FONTS_FANGSONG=仿宋_GB2312 and
# CIRCULAR_FONT_FILES=方正小标宋简体=/opt/fonts/FZXBSJW.TTF,仿宋_GB2312=/opt/fonts/FS_GB2312.ttf
FANDOL_DIR = "/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol"  # Debian texlive-lang-chinese
CIRCULAR_FONT_FILES = env.dict(
    "CIRCULAR_FONT_FILES",
    {"FandolFang": f"{FANDOL_DIR}/FandolFang-Regular.otf", "FandolKai": f"{FANDOL_DIR}/FandolKai-Regular.otf"},
)
CIRCULAR_FALLBACK_FONT = env.str("CIRCULAR_FALLBACK_FONT", "Noto Serif CJK SC")
CIRCULAR_FONT_STACKS = {
    "song": env.list("CIRCULAR_FONTS_SONG", ["Noto Serif CJK SC"]),  # 宋体: page numbers
    "xbs": env.list("CIRCULAR_FONTS_HEAVY", ["Noto Serif CJK SC"]),  # 小标宋 (bold): mark, title
    "fangsong": env.list("CIRCULAR_FONTS_FANGSONG", ["FandolFang", "Noto Serif CJK SC"]),  # 仿宋: body
    "kai": env.list("CIRCULAR_FONTS_KAI", ["AR PL UKai CN", "FandolKai", "Noto Serif CJK SC"]),  # 楷体: （一）
    "hei": env.list("CIRCULAR_FONTS_HEI", ["Noto Sans CJK SC", "Noto Serif CJK SC"]),  # 黑体: 一、
}
# Copies of the large CJK faces cut down to GB 2312, built once into var/fonts: a third of the
# PDF's size and faster renders; the full faces still draw any other character.
CIRCULAR_COMPACT_FONTS = env.bool("CIRCULAR_COMPACT_FONTS", True)
CIRCULAR_FONT_CACHE_DIR = Path(env.str("CIRCULAR_FONT_CACHE_DIR", str(VAR_DIR / "fonts")))
# A render is stopped after the soft limit (then retried) and killed after the hard one. A
# circular renders in under a second, a long one in a few: 30 s means something is wrong.
CIRCULAR_RENDER_SOFT_TIME_LIMIT = env.int("CIRCULAR_RENDER_SOFT_TIME_LIMIT", 30)
CIRCULAR_RENDER_TIME_LIMIT = env.int("CIRCULAR_RENDER_TIME_LIMIT", 40)
CIRCULAR_RENDER_MAX_ATTEMPTS = env.int("CIRCULAR_RENDER_MAX_ATTEMPTS", 3)
# A circular still "rendering" this long after it was queued is queued again (broker outage; a
# worker whose main process died, whose message Redis redelivers only after the visibility
# timeout) until its attempts are spent, then marked failed. The sweep runs every
# CIRCULAR_RENDER_SWEEP_SECONDS: a stuck render is queued again at most STUCK + SWEEP = 60 s
# after it was queued. STUCK exceeds the hard time limit, so a render that started when it was
# queued is never queued twice while it runs; one that waited in the queue may be, and the
# second render then finds it issued, or loses the race to store it (circular_render).
CIRCULAR_RENDER_STUCK_SECONDS = env.int("CIRCULAR_RENDER_STUCK_SECONDS", 45)
CIRCULAR_RENDER_SWEEP_SECONDS = env.int("CIRCULAR_RENDER_SWEEP_SECONDS", 15)
if CIRCULAR_RENDER_SOFT_TIME_LIMIT >= CIRCULAR_RENDER_TIME_LIMIT or CIRCULAR_RENDER_MAX_ATTEMPTS < 1:
    raise ImproperlyConfigured(
        "CIRCULAR_RENDER_SOFT_TIME_LIMIT must be below CIRCULAR_RENDER_TIME_LIMIT, attempts ≥ 1."
    )
if CIRCULAR_RENDER_STUCK_SECONDS <= CIRCULAR_RENDER_TIME_LIMIT or CIRCULAR_RENDER_SWEEP_SECONDS < 1:
    raise ImproperlyConfigured(
        "CIRCULAR_RENDER_STUCK_SECONDS must exceed CIRCULAR_RENDER_TIME_LIMIT (a running render would be "
        "queued twice), and CIRCULAR_RENDER_SWEEP_SECONDS be ≥ 1."
    )
if CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", float("inf")) <= CIRCULAR_RENDER_TIME_LIMIT:
    raise ImproperlyConfigured(
        "CELERY_VISIBILITY_TIMEOUT must exceed CIRCULAR_RENDER_TIME_LIMIT: Redis would hand a running render "
        "to another worker."
    )
# Sign-off after issue (补签) that is late is escalated, once, within a minute.
CELERY_BEAT_SCHEDULE["circulars-sign-off-overdue"] = {
    "task": "notices.circulars.tasks.escalate_late_sign_offs",
    "schedule": 60.0,
}
CELERY_BEAT_SCHEDULE["requeue-circular-renders"] = {
    "task": "notices.circulars.tasks.requeue_circular_renders",
    "schedule": float(CIRCULAR_RENDER_SWEEP_SECONDS),
}
# The daily briefing (每日简报) for the leaders, rendered through the circulars' engine.
CELERY_IMPORTS = ("coordination.briefing.tasks",)
CELERY_BEAT_SCHEDULE["daily-briefings"] = {
    "task": "coordination.briefing.tasks.issue_daily_briefings",
    "schedule": crontab(hour=8, minute=0),
}
# The dashboard is served from snapshots (coordination/briefing/snapshots.py): current until a
# case changes or they are BRIEFING_MAX_AGE_SECONDS old; a stale one is served while a worker
# refreshes it (at most once per BRIEFING_MIN_REFRESH_SECONDS), unless its figures are
# BRIEFING_MAX_LAG_SECONDS or more behind (no worker?): then the request computes them (0: always).
BRIEFING_MAX_AGE_SECONDS = env.float("BRIEFING_MAX_AGE_SECONDS", 60.0)
BRIEFING_MAX_LAG_SECONDS = env.float("BRIEFING_MAX_LAG_SECONDS", 30.0)
BRIEFING_MIN_REFRESH_SECONDS = env.float("BRIEFING_MIN_REFRESH_SECONDS", 5.0)
if min(BRIEFING_MAX_AGE_SECONDS, BRIEFING_MAX_LAG_SECONDS, BRIEFING_MIN_REFRESH_SECONDS) < 0:
    raise ImproperlyConfigured("BRIEFING_MAX_AGE_SECONDS, _MAX_LAG_SECONDS and _MIN_REFRESH_SECONDS must be ≥ 0.")
CELERY_BEAT_SCHEDULE["refresh-briefings"] = {
    "task": "coordination.briefing.tasks.refresh_stale_briefings",
    "schedule": 60.0,  # coordination.briefing.tasks.BEAT_SECONDS
}
# WeasyPrint's step-by-step progress is debugging noise in a worker's log.
LOGGING.setdefault("loggers", {})["weasyprint.progress"] = {"level": "WARNING"}
# --- end of Circulars -------------------------------------------------------------------------

# --- Personal data (coordination/pii/) ----------------------------------------------------------
# ID and phone numbers are encrypted at rest (AES-GCM) and searched by a keyed HMAC; both keys
# are derived from FIELD_ENCRYPTION_KEY. Like the secret key, the default is public: production
# mode refuses it. Changing the key makes stored numbers unreadable: rotate by re-encrypting.
DEFAULT_FIELD_ENCRYPTION_KEY = "insecure-development-field-key-do-not-use-in-production"
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", DEFAULT_FIELD_ENCRYPTION_KEY)
if not DEBUG and FIELD_ENCRYPTION_KEY == DEFAULT_FIELD_ENCRYPTION_KEY:
    raise ImproperlyConfigured(
        "DJANGO_DEBUG=0 (production mode) needs FIELD_ENCRYPTION_KEY: the default key is public."
    )
if len(FIELD_ENCRYPTION_KEY) < 32:
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must be at least 32 characters.")
# --- Working days (coordination/calendar/) ------------------------------------------------------
# "Same working day" deadlines (a mechanism whose catalogue row's basis is working_day): a case
# received on a working day before the cut-off is due at the end of that day, otherwise at the
# end of the next working day.
WORKING_DAY_END = env.time("WORKING_DAY_END", "17:30")
WORKING_DAY_CUTOFF = env.time("WORKING_DAY_CUTOFF", "15:00")
# --- Insurance filings (INS, coordination/mechanisms/insurance/) --------------------------------
# Attachments (referral letters, diagnosis certificates): PDF, JPEG or PNG, checked by content.
INSURANCE_ATTACHMENT_MAX_BYTES = env.int("INSURANCE_ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024)
# Emergency filings are due within a clock limit instead of the same working day.
INSURANCE_EMERGENCY_TIME_LIMIT = timedelta(minutes=env.int("INSURANCE_EMERGENCY_MINUTES", 120))
INSURANCE_BATCH_MAX_ITEMS = 500
# --- end of Insurance filings -----------------------------------------------------------------
# --- M1 tracing letters (coordination/mechanisms/tracing_letters/) -----------------------------
# A letter is answered within this time (not the catalogue's 4 h: a person per row takes a
# day's work); its personal data is purged this many days after it closes, leaving masks; an
# import holds at most this many persons and bytes.
TRACING_LETTER_TIME_LIMIT = timedelta(hours=env.int("TRACING_LETTER_TIME_LIMIT_HOURS", 24))
TRACING_LETTER_RETENTION_DAYS = env.int("TRACING_LETTER_RETENTION_DAYS", 180)
TRACING_LETTER_MAX_PERSONS = env.int("TRACING_LETTER_MAX_PERSONS", 10_000)
TRACING_LETTER_MAX_IMPORT_BYTES = env.int("TRACING_LETTER_MAX_IMPORT_BYTES", 8 * 1024 * 1024)
# --- M2 release notices (coordination/mechanisms/release_notices/) ----------------------------
# How long a release notice's credential is valid by default, and at most (days from issue).
RELEASE_NOTICE_VALID_DAYS = env.int("RELEASE_NOTICE_VALID_DAYS", 30)
RELEASE_NOTICE_MAX_VALID_DAYS = env.int("RELEASE_NOTICE_MAX_VALID_DAYS", 90)
# --- F1 health codes (coordination/mechanisms/health_codes/) ------------------------------------
# A process answers lookups from the latest lists it read at most this long ago (an upload in
# this process counts at once); lists are kept this many days; an API batch holds at most this
# many entries (larger lists come as a CSV file); a status token is valid at most this long.
HEALTH_CODE_LISTS_SECONDS = env.float("HEALTH_CODE_LISTS_SECONDS", 5.0)
HEALTH_CODE_LIST_KEEP_DAYS = env.int("HEALTH_CODE_LIST_KEEP_DAYS", 7)
HEALTH_CODE_BATCH_MAX = env.int("HEALTH_CODE_BATCH_MAX", 50_000)
HEALTH_CODE_TOKEN_MAX_HOURS = env.int("HEALTH_CODE_TOKEN_MAX_HOURS", 72)
# --- Signing: issuer keys, the trust list, PAdES documents (coordination/trust/) ---------------
# Private signing keys are stored encrypted (AES-256-GCM) under a key derived from
# SIGNING_KEYS_SECRET. Without it DEBUG derives one from the secret key (development only);
# production mode refuses to sign (and `manage.py check --deploy` says so). Losing or changing
# the secret makes the stored private keys unusable: rotate every key after changing it.
SIGNING_KEYS_SECRET = env.str("SIGNING_KEYS_SECRET", "")
if SIGNING_KEYS_SECRET and len(SIGNING_KEYS_SECRET) < 32:
    raise ImproperlyConfigured("SIGNING_KEYS_SECRET must be at least 32 characters.")
# An issuer's key is valid this long; active_key() replaces it when fewer than
# SIGNING_KEY_RENEW_DAYS remain. The root (which signs the issuers' certificates) lives longer.
SIGNING_KEY_VALIDITY_DAYS = env.int("SIGNING_KEY_VALIDITY_DAYS", 730)
SIGNING_KEY_RENEW_DAYS = env.int("SIGNING_KEY_RENEW_DAYS", 30)
SIGNING_ROOT_VALIDITY_DAYS = env.int("SIGNING_ROOT_VALIDITY_DAYS", 7300)
if not 0 <= SIGNING_KEY_RENEW_DAYS < SIGNING_KEY_VALIDITY_DAYS <= SIGNING_ROOT_VALIDITY_DAYS:
    raise ImproperlyConfigured(
        "Signing key validity: 0 ≤ SIGNING_KEY_RENEW_DAYS < SIGNING_KEY_VALIDITY_DAYS ≤ SIGNING_ROOT_VALIDITY_DAYS."
    )
# The electronic seal's lettering is drawn as outlines from this face (a collection: the face of
# SIGNING_SEAL_FONT_FAMILY), so the seal needs no font in the PDF or the browser.
SIGNING_SEAL_FONT = env.str("SIGNING_SEAL_FONT", "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc")
SIGNING_SEAL_FONT_FAMILY = env.str("SIGNING_SEAL_FONT_FAMILY", "Noto Serif CJK SC")
# How long readers may cache /trust-list.json.
SIGNING_TRUST_LIST_MAX_AGE_SECONDS = env.int("SIGNING_TRUST_LIST_MAX_AGE_SECONDS", 300)
# Credentials (coordination/trust/credentials.py): a process verifies against the keys and
# revocations it read at most this long ago (a revocation made in another process counts from
# then; in the revoking process at once).
CREDENTIAL_TRUST_SECONDS = env.float("CREDENTIAL_TRUST_SECONDS", 5.0)
# --- end of Signing -----------------------------------------------------------------------------
