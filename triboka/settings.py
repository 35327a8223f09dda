"""Triboka settings: one module, driven by environment variables (see .env.example).

Development defaults are safe to run locally; production sets DJANGO_DEBUG=0 and the
DJANGO_SECURE_* variables (see `make check-deploy`).
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# `make test` sets DJANGO_READ_DOT_ENV=0 so a production-like .env cannot change the tests.
if env.bool("DJANGO_READ_DOT_ENV", default=True):
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-change-me-0123456789-abcdefghijklmnopqrstuvwxyz"
SECRET_KEY = env("DJANGO_SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)

# The root domain serves the master panel; every company lives on <slug>.<BASE_DOMAIN>.
BASE_DOMAIN = env("BASE_DOMAIN", default="localhost")
# Port shown in the URLs we print and e-mail (":8000" in development, "" behind nginx).
PUBLIC_URL_SCHEME = env("PUBLIC_URL_SCHEME", default="http")
PUBLIC_URL_PORT = env("PUBLIC_URL_PORT", default="8000")

# Hosts are validated by the tenant router (only known domains are served, anything else
# answers 404), so Django's own check is left open by default; narrow it if you wish.
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["*"])
# Same-origin requests need nothing here (Django compares Origin with the request's host);
# list other origins that may post forms, if any. Not *.BASE_DOMAIN: that would make every
# company's site a trusted origin for every other company's.
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# ---------------------------------------------------------------------------------------
# Apps: which live in the public schema and which in every company's schema.
# tests/test_schema_classification.py fails when a model is not classified on purpose.
# ---------------------------------------------------------------------------------------
SHARED_APPS = [
    "django_tenants",
    "master.companies",  # Company and Domain, the tenant models
    "master.licensing",
    "master.backups",
    "master.platform",  # system settings editable in the admin
    "master.billing",  # invoices and payments of licenses
    "master.metering",  # API consumption, counted in Redis and flushed here
    "master.analytics",  # dashboard figures and reports
    "master.webhooks",
    "master.instances",  # on-premise installations and their heartbeats
    "triboka.accounts",
    "triboka.audit",  # platform events here, each company's in its own schema
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_celery_beat",
    "channels",
]
TENANT_APPS = [
    # Users, sessions and the JWT blacklist sit beside each company's data, so a session or
    # token of one company has nothing to match in another company's schema.
    "triboka.accounts",
    "triboka.audit",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.admin",
    "rest_framework_simplejwt.token_blacklist",
    # The ERP: only in company schemas.
    "erp",
    "erp.partners",
    "erp.contracts",
    "erp.lots",
    "erp.documents",
    "erp.calculator",
    "erp.market",
    "erp.chat",
    "erp.notifications",
    "erp.web",  # the HTML pages (no models)
]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "companies.Company"
TENANT_DOMAIN_MODEL = "companies.Domain"
PUBLIC_SCHEMA_URLCONF = "triboka.urls_public"
ROOT_URLCONF = "triboka.urls_tenant"
# Migrated by migrate_schemas beside the companies; new company schemas are copied from it.
TENANT_TEMPLATE_SCHEMA = "tenant_template"
GET_EXECUTOR_FUNCTION = "master.companies.template.get_migration_executor"
# Each request issues SET search_path once, not before every cursor.
TENANT_LIMIT_SET_CALLS = True
# Seconds a worker trusts its in-memory host -> company map (changes in the same process
# are seen at once; other workers see a suspension within this many seconds).
TENANT_ROUTING_CACHE_SECONDS = env.int("TENANT_ROUTING_CACHE_SECONDS", default=30)
RESERVED_COMPANY_SLUGS = [
    "public",
    "www",
    "admin",
    "api",
    "app",
    "static",
    "media",
    "mail",
    "smtp",
    "ftp",
    "master",
    "support",
    "help",
    "docs",
    "status",
    "ws",
    "template",
    "triboka",
    "localhost",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "triboka.health.HealthMiddleware",  # before routing, which needs the database
    "triboka.middleware.CompanyRoutingMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "triboka.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

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
                "erp.web.context.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "triboka.wsgi.application"
ASGI_APPLICATION = "triboka.asgi.application"

# ---------------------------------------------------------------------------------------
# Database, cache, channels, Celery
# ---------------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/triboka")}
# A Unix-socket directory is percent-encoded in the URL's host (libpq's convention).
DATABASES["default"]["HOST"] = unquote(DATABASES["default"].get("HOST") or "")
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
# One test database per test run, so two runs on one machine never drop each other's.
DATABASES["default"]["TEST"] = {
    "NAME": env("TEST_DATABASE_NAME", default=f"test_{DATABASES['default']['NAME']}_{os.getpid()}")
}
# Reused connections served ~3x the requests of one connection per request here. Under
# ASGI (daphne) Django opens a connection per request context, so CONN_MAX_AGE does not
# reuse anything there; Django's docs ask for a pool instead: psycopg's pool, with a bounded
# connection lifetime so a backend's per-schema catalog cache cannot grow without end.
# DB_POOL=0 falls back to persistent connections (CONN_MAX_AGE with health checks).
DB_POOL = env.bool("DB_POOL", default=True)
if DB_POOL:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DB_POOL_MIN_SIZE", default=1),
        "max_size": env.int("DB_POOL_MAX_SIZE", default=10),
        "max_lifetime": env.int("DB_CONN_MAX_LIFETIME", default=300),
        "timeout": env.int("DB_POOL_TIMEOUT", default=10),
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=300)
# Checks a reused connection before handing it out (the pool's check when pooling).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# pg_dump used for the template snapshot and final dumps; found on PATH when unset.
PG_DUMP = env("PG_DUMP", default="")

REDIS_URL = env("REDIS_URL", default="")
CACHE_KEY_PREFIX = env("CACHE_KEY_PREFIX", default="triboka")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "KEY_FUNCTION": "django_tenants.cache.make_key",
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # socket_timeout None: the layer waits on Redis with a blocking BZPOPMIN of 5 s;
                # redis-py 8 reads with a 5 s timeout by default, which killed every websocket
                # idle for 5 s (found by bench/chat_load.py; channels_redis issue #422).
                "hosts": [{"address": REDIS_URL, "socket_timeout": None}],
                "prefix": f"{CACHE_KEY_PREFIX}:asgi",
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "KEY_FUNCTION": "django_tenants.cache.make_key",
        }
    }
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
# Without a broker, tasks run inline in the caller's process.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task taken by a worker that died is handed out again after CELERY_VISIBILITY_TIMEOUT
# seconds; workers look for such tasks every CELERY_RESTORE_INTERVAL seconds (kombu's default
# sweep was every 100 s: 10 s times a throttle of 10).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "unacked_restore_interval": env.int("CELERY_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": 1,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# /health fails the Celery check when beat's heartbeat (every minute) is older than this.
HEALTH_BEAT_MAX_AGE = env.int("HEALTH_BEAT_MAX_AGE", default=180)
CELERY_TIMEZONE = "America/Guayaquil"

# ---------------------------------------------------------------------------------------
# Users, authentication, sessions
# ---------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = env.list(
    "DJANGO_PASSWORD_HASHERS",
    default=[
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    ],
)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Set-password links for invited users (and the first admin) expire after this long.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3 * 24 * 3600)
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=14 * 24 * 3600)

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "SIGNING_KEY": env("JWT_SIGNING_KEY", default=SECRET_KEY),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "AUTH_HEADER_TYPES": ("Bearer",),
    "TOKEN_OBTAIN_SERIALIZER": "triboka.accounts.tokens.LoginSerializer",
    "TOKEN_REFRESH_SERIALIZER": "triboka.accounts.tokens.RefreshSerializer",
    "TOKEN_BLACKLIST_SERIALIZER": "triboka.accounts.tokens.LogoutSerializer",
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "triboka.accounts.authentication.CompanyJWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "erp.api.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "erp.api.QuietFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "triboka.errors.exception_handler",
    # Proxies in front that set X-Forwarded-For (nginx in docker-compose: 1). With 0 the
    # client address is the socket's, so a client cannot pick its own throttle bucket.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
}
# Login attempts per client IP and site (a site's cache keys carry its schema).
LOGIN_THROTTLE_RATE = env("LOGIN_THROTTLE_RATE", default="20/min")
SPECTACULAR_SETTINGS = {
    "TITLE": "Triboka API",
    "DESCRIPTION": "Company ERP (/api/v1/) and master (/api/master/) APIs.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "CompanyStatusEnum": "master.companies.models.CompanyStatus",
        "CompanyKindEnum": "master.companies.models.CompanyKind",
        "ContractStatusEnum": "erp.contracts.models.ContractStatus",
        "PriceTypeEnum": "erp.contracts.models.PriceType",
        "LotStatusEnum": "erp.lots.models.LotStatus",
        "PartnerKindEnum": "erp.partners.models.PartnerKind",
        "DocumentKindEnum": "erp.documents.models.DocumentKind",
        "LicenseTypeEnum": "master.licensing.models.LicenseType",
        "BillingPeriodEnum": "master.licensing.models.BillingPeriod",
        "ModuleEnum": "master.licensing.models.Module",
    },
}

# ---------------------------------------------------------------------------------------
# The ERP
# ---------------------------------------------------------------------------------------
# How far past its volume a contract may be delivered, in percent.
CONTRACT_VOLUME_TOLERANCE_PERCENT = env.int("CONTRACT_VOLUME_TOLERANCE_PERCENT", default=5)
# Uploaded documents: largest size, and how long a download link stays valid.
DOCUMENT_MAX_UPLOAD_MB = env.int("DOCUMENT_MAX_UPLOAD_MB", default=20)
DOCUMENT_LINK_SECONDS = env.int("DOCUMENT_LINK_SECONDS", default=300)
# Contract chat: longest message, and how many messages a user may send per window.
CHAT_MESSAGE_MAX_LENGTH = env.int("CHAT_MESSAGE_MAX_LENGTH", default=2000)
CHAT_RATE_MESSAGES = env.int("CHAT_RATE_MESSAGES", default=20)
CHAT_RATE_SECONDS = env.int("CHAT_RATE_SECONDS", default=10)
# Push notifications through Firebase Cloud Messaging: the service account's JSON file.
# Unset: the push channel is off (and `check` says so).
FCM_CREDENTIALS_FILE = env("FCM_CREDENTIALS_FILE", default="")
# Periodic jobs (triboka/jobs.py): how long logs are kept, and where monthly FOB prices come from.
NOTIFICATION_RETENTION_DAYS = env.int("NOTIFICATION_RETENTION_DAYS", default=180)
ACCESS_LOG_RETENTION_DAYS = env.int("ACCESS_LOG_RETENTION_DAYS", default=730)
FOB_PRICES_URL = env("FOB_PRICES_URL", default="")
FOB_PRICES_COLUMN_MAP = env("FOB_PRICES_COLUMN_MAP", default="")

# ---------------------------------------------------------------------------------------
# Language, time
# ---------------------------------------------------------------------------------------
LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Guayaquil"
USE_I18N = True
USE_TZ = True

# ---------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# Every company's files live under MEDIA_ROOT/<schema>/.
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
# Final dumps of deleted companies, and the backup archives of the local backup storage.
BACKUP_ROOT = env.path("BACKUP_ROOT", default=VAR_DIR / "backups")
# Days an expired license keeps its company's site open read-only before closing it.
LICENSE_GRACE_DAYS = env.int("LICENSE_GRACE_DAYS", default=15)
# Per-company backups (master/backups): a company keeps at most BACKUP_KEEP_COUNT archives
# and none older than BACKUP_KEEP_DAYS (its newest is always kept). The daily job dumps
# BACKUP_CHUNK_SIZE companies per pg_dump call with BACKUP_DUMP_JOBS parallel jobs; pg_dump
# locks every table of its chunk (about 30 a company) in PostgreSQL's shared lock table
# (max_locks_per_transaction x max_connections: 6,400 slots by default), so larger chunks
# or more worker processes need a larger max_locks_per_transaction.
BACKUP_KEEP_COUNT = env.int("BACKUP_KEEP_COUNT", default=14)
BACKUP_KEEP_DAYS = env.int("BACKUP_KEEP_DAYS", default=35)
BACKUP_CHUNK_SIZE = env.int("BACKUP_CHUNK_SIZE", default=20)
BACKUP_DUMP_JOBS = env.int("BACKUP_DUMP_JOBS", default=2)
STORAGES = {
    # triboka.storage.TenantS3Storage keeps files on S3 under <schema>/ instead.
    "default": {
        "BACKEND": env(
            "DEFAULT_FILE_STORAGE_BACKEND", default="django_tenants.files.storage.TenantFileSystemStorage"
        )
    },
    # Backup archives: a folder (BACKUP_ROOT/archives, the default) or S3 through
    # django-storages (BACKUP_STORAGE_BACKEND=storages.backends.s3.S3Storage with
    # BACKUP_S3_BUCKET; the AWS_* settings below).
    "backups": {
        "BACKEND": env("BACKUP_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"),
        "OPTIONS": (
            {"bucket_name": env("BACKUP_S3_BUCKET", default=""), "location": "backups", "default_acl": None}
            if "s3" in env("BACKUP_STORAGE_BACKEND", default="").lower()
            else {}  # the folder follows BACKUP_ROOT (master.backups.storage)
        ),
    },
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
# S3-compatible storage (with DEFAULT_FILE_STORAGE_BACKEND=triboka.storage.TenantS3Storage);
# credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment.
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default=None)
AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", default=None)
AWS_S3_SIGNATURE_VERSION = "s3v4"
AWS_DEFAULT_ACL = None
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# ---------------------------------------------------------------------------------------
# E-mail
# ---------------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Triboka <no-reply@triboka.com>")

# ---------------------------------------------------------------------------------------
# Security (production sets DJANGO_DEBUG=0 and DJANGO_SECURE=1 behind TLS)
# ---------------------------------------------------------------------------------------
SECURE = env.bool("DJANGO_SECURE", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = SECURE
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000 if SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=SECURE)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- master.platform ---

# --- master.instances and license files ---

# --- master.billing ---

# --- master.webhooks ---

# --- triboka.audit ---

# --- master.metering and master.analytics ---
