"""Django settings, read from the environment (12-factor).

Variables (all optional on a developer machine):
  DATABASE_URL       database, e.g. postgres://postgres@127.0.0.1:5432/mekong; default SQLite in var/
  REDIS_URL          Redis for cache and Celery; unset = local memory cache, tasks run inline
  SECRET_KEY         required when DEBUG is off; in DEBUG a random key is kept in var/secret_key
  DEBUG              "1"/"true" for development
  ALLOWED_HOSTS      comma-separated; default 127.0.0.1,localhost
  CSRF_TRUSTED_ORIGINS comma-separated origins behind a reverse proxy
  MEKONG_VAR_DIR     where SQLite, media and the dev secret live; default <project>/var
  S3_BUCKET_NAME     store media on S3-compatible storage (with S3_ENDPOINT_URL, S3_ACCESS_KEY_ID,
                     S3_SECRET_ACCESS_KEY, S3_REGION_NAME, S3_CUSTOM_DOMAIN)
  MEKONG_FACEID_KEYS Fernet keys (comma-separated, newest first) that encrypt face embeddings; required
                     when DEBUG is off, like SECRET_KEY (`python -c "from cryptography.fernet import
                     Fernet; print(Fernet.generate_key().decode())"`); in DEBUG one is kept in var/faceid_key
  LOG_FORMAT         "json" (default when DEBUG is off) or "console"
  LOG_LEVEL          default INFO
  EMAIL_HOST         SMTP server for email notifications (with EMAIL_PORT, EMAIL_HOST_USER,
                     EMAIL_HOST_PASSWORD, EMAIL_USE_TLS / EMAIL_USE_SSL, EMAIL_TIMEOUT, DEFAULT_FROM_EMAIL);
                     unset = messages are written as files under var/mail (EMAIL_FILE_PATH). EMAIL_BACKEND
                     overrides the choice (e.g. django.core.mail.backends.console.EmailBackend)
  MEKONG_SMS_PROVIDER dotted path of the SmsProvider; default the development one, which appends to
                     MEKONG_SMS_LOG (var/sms.log). MEKONG_SMS_UNACCENTED (default 1) strips accents so a
                     text fits a 160-character GSM-7 segment; MEKONG_SMS_MAX_LENGTH (default 160)
  MEKONG_NOTIFY_QUEUE Celery queue of notification deliveries; default the default queue
  MEKONG_NOTIFY_LEASE_SECONDS how long a worker may hold a delivery while sending (default 300)
  MEKONG_NOTIFY_MAX_ATTEMPTS attempts before a delivery is given up (default 8)
  MEKONG_NOTIFY_MAX_AGE_HOURS SMS and email about older events are not sent (default 72)
  MEKONG_IOC_DEFERRED "1": the operations centre's figures follow dossier events through a Celery task
                     shortly after each commit; "0": inside each event's transaction. Default: on with
                     REDIS_URL (docs/decisions/0009-ioc-after-commit.md)
  MEKONG_IOC_DELAY_SECONDS how long events are gathered before the task runs (default 1)
  MEKONG_IOC_QUEUE   Celery queue of that task; default the default queue
  MEKONG_CACHE_KEY_PREFIX prefix of every cache key, for deployments that share one Redis; default none
  VNPAY_TMN_CODE, VNPAY_HASH_SECRET  the merchant's terminal code and secret from VNPAY (online fees)
  VNPAY_PAYMENT_URL  VNPAY's payment page; default its sandbox, https://sandbox.vnpayment.vn/paymentv2/vpcpay.html
  MEKONG_PAYMENT_GATEWAY  gateway for new online payments ("vnpay", "sandbox"); default sandbox when enabled
  MEKONG_PAYMENT_SANDBOX  "1" enables the local sandbox gateway (default: on with DEBUG only — it approves
                     payments no bank made, so never in production)
  MEKONG_SANDBOX_HASH_SECRET  the sandbox's secret; default derived from SECRET_KEY
  MEKONG_PAYMENT_WINDOW_MINUTES  how long a payment URL stays valid, default 15
  MEKONG_OTP_TTL_SECONDS  how long a code sent by SMS (consent to an assisted submission, account
                     activation) stays valid, default 600; MEKONG_OTP_MAX_ATTEMPTS wrong tries before it is
                     void (5); MEKONG_OTP_RESEND_SECONDS wait before another code for the same thing (60);
                     MEKONG_OTP_PER_PHONE_PER_HOUR codes sent to one phone per hour (5)
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
import structlog
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parents[2]
PACKAGE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


VAR_DIR = Path(os.environ.get("MEKONG_VAR_DIR") or BASE_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG")


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    if not DEBUG and not env_bool("MEKONG_ALLOW_DEV_SECRET"):
        raise RuntimeError("SECRET_KEY must be set when DEBUG is off")
    # A per-checkout random key: never in the repository, stable across restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()


def _faceid_keys() -> list[str]:
    keys = env_list("MEKONG_FACEID_KEYS")
    if keys:
        return keys
    if not DEBUG and not env_bool("MEKONG_ALLOW_DEV_SECRET"):
        raise RuntimeError("MEKONG_FACEID_KEYS must be set when DEBUG is off")
    path = VAR_DIR / "faceid_key"
    if not path.exists():
        from cryptography.fernet import Fernet

        path.write_text(Fernet.generate_key().decode())
        path.chmod(0o600)
    return [path.read_text().strip()]


MEKONG_FACEID_KEYS = _faceid_keys()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_structlog",
    "mekong.core",
    "mekong.geo",
    "mekong.accounts",
    "mekong.catalog",
    "mekong.portal",
    "mekong.dossiers",
    "mekong.payments",
    "mekong.backoffice",
    "mekong.faceid",
    "mekong.notify",
    "mekong.community",
    "mekong.feedback",
    "mekong.ioc",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "mekong.core.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_structlog.middlewares.RequestMiddleware",
]

ROOT_URLCONF = "mekong.urls"
WSGI_APPLICATION = "mekong.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'mekong.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while a command writes; a busy timeout instead of "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests use a file, not memory: concurrent-connection tests need several connections to one database.
    # One file per test process, so two test runs on one machine never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-mekong-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES: dict[str, dict[str, Any]] = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CACHES["default"]["KEY_PREFIX"] = os.environ.get("MEKONG_CACHE_KEY_PREFIX", "")

# Celery: through Redis when configured, otherwise inline in the calling process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
CELERY_BEAT_SCHEDULE = {
    # Draft apology letters for dossiers about to be late, every half hour in office hours.
    "draft-apologies": {
        "task": "mekong.dossiers.draft_apologies",
        "schedule": crontab(minute="*/30", hour="7-17", day_of_week="mon-sat"),
    },
    # Face vectors whose consent has run its course are deleted (Decree 13/2023: kept no longer than agreed).
    "purge-face-data": {"task": "mekong.faceid.purge_expired", "schedule": crontab(minute=15, hour=2)},
    # Queue again the notification deliveries that are due (retries, a worker that died mid-send).
    "send-due-notifications": {"task": "mekong.notify.send_due", "schedule": 60.0},
    # The IOC's pending dossiers, should a scheduled refresh have been lost (broker down, worker killed).
    "refresh-ioc": {"task": "mekong.ioc.refresh_pending", "schedule": 60.0},
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["mekong.accounts.backends.IdentifierBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "full_name", "personal_id", "phone", "email")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
FORMAT_MODULE_PATH = ["mekong.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every request without it
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"

S3_BUCKET_NAME = os.environ.get("S3_BUCKET_NAME", "")
if S3_BUCKET_NAME:
    _default_storage: dict[str, Any] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET_NAME,
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            "region_name": os.environ.get("S3_REGION_NAME") or None,
            "custom_domain": os.environ.get("S3_CUSTOM_DOMAIN") or None,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": MEDIA_URL},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Behind a reverse proxy that terminates TLS.
if env_bool("BEHIND_HTTPS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# The tenant this installation serves: the legacy (pre-2025) province whose units and agencies are loaded.
MEKONG_TENANT_PROVINCE = os.environ.get("MEKONG_TENANT_PROVINCE", "Hậu Giang")
# The address citizens reach the platform at: printed in QR codes on issued documents.
MEKONG_PUBLIC_URL = os.environ.get("MEKONG_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# Status lookups per client address and window (anti-enumeration).
MEKONG_LOOKUP_LIMIT = int(os.environ.get("MEKONG_LOOKUP_LIMIT", "20"))
MEKONG_LOOKUP_WINDOW_SECONDS = int(os.environ.get("MEKONG_LOOKUP_WINDOW_SECONDS", "600"))
MEKONG_UPLOAD_MAX_BYTES = int(os.environ.get("MEKONG_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
# Reverse proxies in front of the app whose X-Forwarded-For entries are trusted (1 behind one nginx).
MEKONG_TRUSTED_PROXY_COUNT = int(os.environ.get("MEKONG_TRUSTED_PROXY_COUNT", "0"))
MEKONG_API_TOKEN_TTL_DAYS = int(os.environ.get("MEKONG_API_TOKEN_TTL_DAYS", "30"))
# Face lookup (issue 5): the model, how long a consent keeps embeddings, lookups per client and window.
MEKONG_FACEID_EMBEDDER = os.environ.get("MEKONG_FACEID_EMBEDDER", "dlib-hog")
MEKONG_FACEID_KEEP_DAYS = int(os.environ.get("MEKONG_FACEID_KEEP_DAYS", str(5 * 365)))
MEKONG_FACEID_LOOKUP_LIMIT = int(os.environ.get("MEKONG_FACEID_LOOKUP_LIMIT", "10"))
MEKONG_FACEID_LOOKUP_WINDOW_SECONDS = int(os.environ.get("MEKONG_FACEID_LOOKUP_WINDOW_SECONDS", "600"))

# Email: SMTP when EMAIL_HOST is set, otherwise one file per message under var/mail (development, demo).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH") or str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Cổng dịch vụ công Mekong <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The domain of the Message-ID of notification emails (one per delivery, the same on every attempt).
MEKONG_EMAIL_MESSAGE_ID_DOMAIN = os.environ.get("MEKONG_EMAIL_MESSAGE_ID_DOMAIN", "mekong.localhost")

# SMS: a provider adapter (notify.channels.contrib.sms.providers); the development one writes a log file.
MEKONG_SMS_PROVIDER = os.environ.get(
    "MEKONG_SMS_PROVIDER", "mekong.notify.channels.contrib.sms.providers.dev.LogFileSmsProvider"
)
MEKONG_SMS_LOG = os.environ.get("MEKONG_SMS_LOG") or str(VAR_DIR / "sms.log")
MEKONG_SMS_UNACCENTED = env_bool("MEKONG_SMS_UNACCENTED", default=True)
MEKONG_SMS_MAX_LENGTH = int(os.environ.get("MEKONG_SMS_MAX_LENGTH", "160"))

# Notification delivery (docs/decisions/0003-notification-delivery.md).
MEKONG_NOTIFY_QUEUE = os.environ.get("MEKONG_NOTIFY_QUEUE", "")
MEKONG_NOTIFY_LEASE_SECONDS = int(os.environ.get("MEKONG_NOTIFY_LEASE_SECONDS", "300"))
MEKONG_NOTIFY_MAX_ATTEMPTS = int(os.environ.get("MEKONG_NOTIFY_MAX_ATTEMPTS", "8"))
MEKONG_NOTIFY_MAX_AGE_HOURS = int(os.environ.get("MEKONG_NOTIFY_MAX_AGE_HOURS", "72"))

# The operations centre's aggregates (docs/decisions/0007-ioc-aggregates.md, 0009-ioc-after-commit.md).
MEKONG_IOC_DEFERRED = env_bool("MEKONG_IOC_DEFERRED", bool(REDIS_URL))
MEKONG_IOC_DELAY_SECONDS = float(os.environ.get("MEKONG_IOC_DELAY_SECONDS", "1"))
MEKONG_IOC_QUEUE = os.environ.get("MEKONG_IOC_QUEUE", "")

# Online payment of fees (mekong.payments): VNPAY, and a local sandbox gateway for development and tests.
VNPAY_TMN_CODE = os.environ.get("VNPAY_TMN_CODE", "")
VNPAY_HASH_SECRET = os.environ.get("VNPAY_HASH_SECRET", "")
VNPAY_PAYMENT_URL = os.environ.get("VNPAY_PAYMENT_URL", "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html")
MEKONG_PAYMENT_GATEWAY = os.environ.get("MEKONG_PAYMENT_GATEWAY", "")
MEKONG_PAYMENT_SANDBOX = env_bool("MEKONG_PAYMENT_SANDBOX", DEBUG)
MEKONG_SANDBOX_HASH_SECRET = os.environ.get("MEKONG_SANDBOX_HASH_SECRET", "")
MEKONG_PAYMENT_WINDOW_MINUTES = int(os.environ.get("MEKONG_PAYMENT_WINDOW_MINUTES", "15"))

# One-time codes sent by SMS (community: consent to an assisted submission, activating the account made then).
MEKONG_OTP_TTL_SECONDS = int(os.environ.get("MEKONG_OTP_TTL_SECONDS", "600"))
MEKONG_OTP_MAX_ATTEMPTS = int(os.environ.get("MEKONG_OTP_MAX_ATTEMPTS", "5"))
MEKONG_OTP_RESEND_SECONDS = int(os.environ.get("MEKONG_OTP_RESEND_SECONDS", "60"))
MEKONG_OTP_PER_PHONE_PER_HOUR = int(os.environ.get("MEKONG_OTP_PER_PHONE_PER_HOUR", "5"))

# Logging: structlog renders every record, JSON in production, coloured lines in development.
LOG_FORMAT = os.environ.get("LOG_FORMAT") or ("console" if DEBUG else "json")
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "structured": {
            "()": structlog.stdlib.ProcessorFormatter,
            "processor": structlog.processors.JSONRenderer(ensure_ascii=False)
            if LOG_FORMAT == "json"
            else structlog.dev.ConsoleRenderer(colors=False),
            "foreign_pre_chain": [
                structlog.contextvars.merge_contextvars,
                structlog.processors.TimeStamper(fmt="iso"),
                structlog.stdlib.add_logger_name,
                structlog.stdlib.add_log_level,
            ],
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "faiss.loader": {"level": "WARNING"},  # which CPU build it picked, on every start
        "django_structlog": {"level": LOG_LEVEL},
    },
}
structlog.configure(
    processors=[
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.filter_by_level,
        structlog.processors.TimeStamper(fmt="iso"),
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.stdlib.PositionalArgumentsFormatter(),
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
        structlog.processors.UnicodeDecoder(),
        structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
    ],
    logger_factory=structlog.stdlib.LoggerFactory(),
    cache_logger_on_first_use=True,
)
