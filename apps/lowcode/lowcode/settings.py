"""Django settings for one site of this bench.

Everything site-specific comes from sites/<site>/site_config.json (over common_site_config.json);
nothing secret lives in the repository. Which Django apps are installed comes from each bench
app's hooks.py (`django_apps`), in the order of sites/apps.txt.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from lowcode.core.csp import site_policies
from lowcode.core.hooks import app_hooks
from lowcode.sites import BENCH_ROOT, SiteError, get_site, installed_apps

SITE = get_site()
CONFIG = SITE.config
SITE_NAME = SITE.name
SITE_PATH: Path = SITE.path

SECRET_KEY = CONFIG.get("secret_key") or ""
if not SECRET_KEY:
    raise SiteError(f"site {SITE_NAME!r} has no secret_key in its site_config.json")
DEBUG = bool(CONFIG.get("developer_mode", False))
# The site's public address (Frappe's host_name), for links printed on paper such as QR codes.
SITE_URL = str(CONFIG.get("host_name") or "http://localhost:8000").rstrip("/")
ALLOWED_HOSTS = list(CONFIG.get("allowed_hosts") or ["127.0.0.1", "localhost", "[::1]", SITE_NAME])
CSRF_TRUSTED_ORIGINS = list(CONFIG.get("csrf_trusted_origins") or [])

BENCH_APPS = installed_apps()
INSTALLED_APPS = [
    "unfold.apps.BasicAppConfig",  # not the default config, which replaces admin.site with its own
    "unfold.contrib.filters",
    "lowcode.desk.apps.DeskAdminConfig",  # django.contrib.admin with the desk as its site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_rq",
]
for _app in BENCH_APPS:
    INSTALLED_APPS += app_hooks(_app).get("django_apps", [_app])

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lowcode.core.middleware.SiteLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "lowcode.core.csp.ContentSecurityPolicyMiddleware",  # before X-Frame-Options, whose header it mirrors
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "lowcode.core.definitions.FreshDefinitions",
]

ROOT_URLCONF = "lowcode.urls"
WSGI_APPLICATION = "lowcode.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lowcode.portal.context.menu",
            ],
        },
    },
]


def _database() -> dict:
    db_type = SITE.db_type
    override = os.environ.get("LOWCODE_DB_NAME")  # a test run points its subprocesses at the test database
    if db_type == "sqlite":
        name = override or str(SITE_PATH / CONFIG.get("db_name", "site.sqlite3"))
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name,
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # A file, not memory, so that workers started by a test see the same data.
            "TEST": {"NAME": str(SITE_PATH / "test_site.sqlite3")},
        }
    if db_type == "mariadb":
        return {
            "ENGINE": "django.db.backends.mysql",
            "NAME": override or CONFIG["db_name"],
            "USER": CONFIG.get("db_user", "root"),
            "PASSWORD": CONFIG.get("db_password", ""),
            "HOST": CONFIG.get("db_host", "127.0.0.1"),
            "PORT": str(CONFIG.get("db_port", 3306)),
            "OPTIONS": {"charset": "utf8mb4", "isolation_level": "read committed"},
            "TEST": {
                "NAME": CONFIG.get("test_db_name") or f"test_{CONFIG['db_name']}",
                "CHARSET": "utf8mb4",
                "COLLATION": "utf8mb4_unicode_ci",
            },
        }
    raise SiteError(f"site {SITE_NAME!r}: db_type must be 'sqlite' or 'mariadb', not {db_type!r}")


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = SITE.redis_url
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": f"{SITE_NAME}:cache",
    }
}
# The queue dashboard (Redis details, emptying queues) is for superusers, at /desk/rq/ only (lowcode.urls);
# django-rq's own admin registration would serve it to every desk user.
RQ_SHOW_ADMIN_LINK = False
RQ_QUEUES = {
    SITE.queue_name("default"): {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600},
    SITE.queue_name("short"): {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 120},
    SITE.queue_name("long"): {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600},
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "/"

# Simplified Chinese is the default whatever the browser asks for; English is a click away.
LANGUAGE_CODE = str(CONFIG.get("language", "zh-hans"))
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BENCH_ROOT / "apps" / app / "locale" for app in BENCH_APPS if app != "lowcode"] + [
    Path(__file__).resolve().parent / "locale"
]
TIME_ZONE = str(CONFIG.get("time_zone", "Asia/Shanghai"))
USE_I18N = True
USE_TZ = True

STATIC_URL = "/assets/"
STATIC_ROOT = Path(os.environ.get("LOWCODE_SITES_PATH") or BENCH_ROOT / "sites") / "assets"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # assets are also found before `collectstatic` ran (tests, developer mode)
MEDIA_URL = "/files/"
MEDIA_ROOT = SITE_PATH / "public" / "files"
PRIVATE_FILES_ROOT = SITE_PATH / "private" / "files"
BACKUPS_ROOT = SITE_PATH / "private" / "backups"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# Every login (desk, portal, API) is throttled per account and per client address (lowcode.core.throttle).
AUTHENTICATION_BACKENDS = ["lowcode.core.throttle.ThrottledModelBackend"]
if os.environ.get("BENCH_TEST_BACKEND"):  # `bench test` (and the servers its tests start): a hash's strength is no
    # test's subject, and PBKDF2's million rounds were a third of each test's set-up
    PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
LOGIN_THROTTLE = dict(CONFIG.get("login_throttle") or {})
# Behind a reverse proxy: its addresses, and the header it puts the client's address in (e.g. X-Forwarded-For).
TRUSTED_PROXIES = list(CONFIG.get("trusted_proxies") or [])
TRUSTED_PROXY_HEADER = (
    "HTTP_" + str(CONFIG["trusted_proxy_header"]).upper().replace("-", "_")
    if CONFIG.get("trusted_proxy_header")
    else ""
)

SESSION_COOKIE_NAME = f"sid_{SITE_NAME.replace('.', '_')}"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"  # no page is framed by another; the print preview allows its own desk only
SECURE_CONTENT_TYPE_NOSNIFF = True
# The Content-Security-Policy of the desk and of the portal (lowcode.core.csp), each directive overridable by
# "content_security_policy" in site_config.json, for both areas or under "desk" / "portal" for one.
CONTENT_SECURITY_POLICY = site_policies(CONFIG.get("content_security_policy"))
if CONFIG.get("https"):
    # Served over https, behind a reverse proxy that terminates TLS and sets X-Forwarded-Proto (and strips
    # any such header a client sends): redirect plain http, tell browsers to stay on https, secure cookies.
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(CONFIG.get("hsts_seconds", 31_536_000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = bool(CONFIG.get("hsts_include_subdomains", True))
    SECURE_HSTS_PRELOAD = bool(CONFIG.get("hsts_preload", True))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {app: {"level": "INFO"} for app in BENCH_APPS},
}

UNFOLD = {
    "SITE_TITLE": _("Government Services Desk"),
    "SITE_HEADER": _("Government Services"),
    "SITE_SUBHEADER": _("One window, integrated service"),
    "SITE_URL": "/",
    "SITE_SYMBOL": "account_balance",
    "SHOW_LANGUAGES": True,
    "SHOW_HISTORY": True,
    "SHOW_VIEW_ON_SITE": True,
    "STYLES": ["lowcode.desk.navigation.desk_styles"],
    "SIDEBAR": {
        "show_search": True,
        "show_all_applications": False,
        "navigation": "lowcode.desk.navigation.sidebar",
    },
}
