"""Site commands: new-site, drop-site, use, migrate, sync-fixtures, set-admin-password."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
from typing import Any

from lowcode.commands.util import CommandError, info, setup_django
from lowcode.sites import get_site, read_json, sites_path, write_json

SITE_NAME = re.compile(r"^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$")
ADMIN_USERNAME = "Administrator"


def mariadb_connect(config: dict[str, Any], database: str | None = None) -> Any:
    import MySQLdb

    kwargs: dict[str, Any] = {
        "host": config.get("db_host", "127.0.0.1"),
        "port": int(config.get("db_port", 3306)),
        "user": config.get("db_root_user", config.get("db_user", "root")),
        "passwd": config.get("db_root_password", config.get("db_password", "")),
        "charset": "utf8mb4",
        "connect_timeout": 5,
    }
    if database:
        kwargs["database"] = database
    try:
        return MySQLdb.connect(**kwargs)
    except MySQLdb.OperationalError as exc:
        raise CommandError(
            f"cannot reach MariaDB at {kwargs['host']}:{kwargs['port']} as {kwargs['user']}: {exc.args[-1]}"
        ) from exc


def ensure_mariadb_time_zones(config: dict[str, Any]) -> None:
    """Django converts datetimes in SQL with CONVERT_TZ, which needs the server's time zone tables.

    A new MariaDB has them empty; load them from the system's zoneinfo (once per server) when we can.
    """
    connection = mariadb_connect(config)
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT CONVERT_TZ('2026-01-01 00:00:00', 'UTC', 'Asia/Shanghai')")
        if cursor.fetchone()[0] is not None:
            return
    finally:
        connection.close()
    tzinfo = shutil.which("mariadb-tzinfo-to-sql") or shutil.which("mysql_tzinfo_to_sql")
    client = shutil.which("mariadb") or shutil.which("mysql")
    if not tzinfo or not client:
        raise CommandError(
            "MariaDB has no time zone tables and mariadb-tzinfo-to-sql or the mariadb client is missing; "
            "load them with: mariadb-tzinfo-to-sql /usr/share/zoneinfo | mariadb -u root mysql"
        )
    info("loading the time zone tables into MariaDB (once per server)")
    sql = subprocess.run([tzinfo, "/usr/share/zoneinfo"], capture_output=True, check=True).stdout
    args = [
        client,
        "--host",
        str(config.get("db_host", "127.0.0.1")),
        "--port",
        str(config.get("db_port", 3306)),
        "--user",
        str(config.get("db_root_user", config.get("db_user", "root"))),
        "mysql",
    ]
    password = config.get("db_root_password", config.get("db_password", ""))
    env = {**os.environ, "MYSQL_PWD": str(password)} if password else None
    result = subprocess.run(args, input=sql, capture_output=True, env=env, check=False)
    if result.returncode != 0:
        raise CommandError(f"loading the time zone tables failed: {result.stderr.decode(errors='replace')[-500:]}")


def default_db_name(site: str) -> str:
    return "gs_" + re.sub(r"[^a-z0-9]", "_", site)[:60]


def new_site(
    name: str,
    *,
    db_type: str = "sqlite",
    db_name: str | None = None,
    db_host: str = "127.0.0.1",
    db_port: int = 3306,
    db_user: str = "root",
    db_password: str = "",
    admin_password: str | None = None,
    redis_url: str | None = None,
    force: bool = False,
) -> str:
    """Create a site: config, database, migrations, fixtures, Administrator. All or nothing.

    Returns the Administrator password.
    """
    if not SITE_NAME.match(name):
        raise CommandError(f"{name!r} is not a valid site name (lower-case letters, digits, '.' and '-')")
    if db_type not in ("sqlite", "mariadb"):
        raise CommandError(f"--db-type must be sqlite or mariadb, not {db_type!r}")
    path = sites_path() / name
    if (path / "site_config.json").exists():
        if not force:
            raise CommandError(f"site {name!r} already exists (use --force to replace it)")
        drop_site(name)

    common = read_json(sites_path() / "common_site_config.json")
    admin_password = admin_password or secrets.token_urlsafe(9)
    config: dict[str, Any] = {
        "db_type": db_type,
        "secret_key": secrets.token_urlsafe(50),
        "admin_password": admin_password,
    }
    if redis_url:
        config["redis_url"] = redis_url
    created_db = None
    if db_type == "sqlite":
        config["db_name"] = db_name or "site.sqlite3"
    else:
        db_name = db_name or default_db_name(name)
        config.update(db_name=db_name, db_host=db_host, db_port=db_port, db_user=db_user, db_password=db_password)
        connection = mariadb_connect({**common, **config})
        try:
            cursor = connection.cursor()
            cursor.execute("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = %s", (db_name,))
            if cursor.fetchone()[0] and not force:
                raise CommandError(f"database {db_name!r} already has tables; choose another --db-name or use --force")
            cursor.execute(f"DROP DATABASE IF EXISTS `{db_name}`")
            cursor.execute(f"CREATE DATABASE `{db_name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
            created_db = db_name
        finally:
            connection.close()
        ensure_mariadb_time_zones({**common, **config})

    try:
        for sub in ("public/files", "private/files", "private/backups", "logs"):
            (path / sub).mkdir(parents=True, exist_ok=True)
        write_json(path / "site_config.json", config)
        setup_django(name)
        migrate(quiet=True)
        set_admin_password(admin_password)
    except BaseException:
        info(f"creating site {name!r} failed; removing what was made")
        shutil.rmtree(path, ignore_errors=True)
        if created_db:
            _drop_database({**common, **config}, created_db)
        raise
    info(f"site {name!r} created ({db_type})")
    return admin_password


def _drop_database(config: dict[str, Any], db_name: str) -> None:
    connection = mariadb_connect(config)
    try:
        connection.cursor().execute(f"DROP DATABASE IF EXISTS `{db_name}`")
    finally:
        connection.close()


def drop_site(name: str) -> None:
    site = get_site(name)
    if site.db_type == "mariadb":
        _drop_database(site.config, site.config["db_name"])
    shutil.rmtree(site.path)
    current = sites_path() / "currentsite.txt"
    if current.exists() and current.read_text(encoding="utf-8").strip() == name:
        current.unlink()
    info(f"site {name!r} dropped")


def use(name: str) -> None:
    get_site(name)  # must exist
    (sites_path() / "currentsite.txt").write_text(name + "\n", encoding="utf-8")
    info(f"default site is now {name!r}")


def migrate(*, quiet: bool = False) -> None:
    """Apply migrations, then sync fixtures (as Frappe's migrate does). Django must be set up."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0 if quiet else 1)
    sync_fixtures(quiet=quiet)


def sync_fixtures(*, quiet: bool = False) -> None:
    from lowcode.core.fixtures import sync_fixtures as sync

    summary = sync()
    if not quiet:
        for doctype, counts in summary.items():
            info(
                f"fixtures {doctype}: {counts['created']} created, {counts['updated']} updated, "
                f"{counts['unchanged']} unchanged"
            )


def set_admin_password(password: str) -> None:
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from lowcode.sites import current_site_name

    User = get_user_model()
    with transaction.atomic():
        user, _ = User.objects.get_or_create(
            username=ADMIN_USERNAME, defaults={"is_staff": True, "is_superuser": True, "first_name": "Administrator"}
        )
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
    name = current_site_name()
    if name:
        config_path = sites_path() / name / "site_config.json"
        config = read_json(config_path)
        config["admin_password"] = password
        write_json(config_path, config)


def load_demo() -> None:
    """Run every app's `demo_loaders` hook (idempotent loaders). Django must be set up."""
    from django.utils.module_loading import import_string

    from lowcode.core.hooks import get_hooks

    for path in get_hooks("demo_loaders", []) or []:
        made = import_string(path)()
        info(f"demo data ({path}): " + ", ".join(f"{k} {v}" for k, v in (made or {}).items()))
