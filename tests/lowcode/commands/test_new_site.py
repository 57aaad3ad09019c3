"""`bench new-site`, `bench --site NAME migrate` and `bench drop-site` against the real database server."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path

import MySQLdb
import pytest

from tests.lowcode.commands.helpers import bench, bench_env, make_sites_dir


def _query(config: dict, site_path: Path, sql: str) -> list[tuple]:
    if config["db_type"] == "sqlite":
        with sqlite3.connect(site_path / config["db_name"]) as conn:
            return conn.execute(sql).fetchall()
    conn = MySQLdb.connect(
        host=config["db_host"],
        port=config["db_port"],
        user=config["db_user"],
        passwd=config["db_password"],
        database=config["db_name"],
    )
    try:
        cursor = conn.cursor()
        cursor.execute(sql)
        return list(cursor.fetchall())
    finally:
        conn.close()


def test_new_site_migrate_and_drop(backend: str, tmp_path: Path) -> None:
    sites = make_sites_dir(tmp_path)
    env = bench_env(sites)
    db_name = f"gs_demo2_{os.getpid()}"

    created = bench(
        "new-site", "demo2", "--db-type", backend, "--db-name", db_name, "--admin-password", "Ad-min-123", env=env
    )
    assert created.returncode == 0, created.stderr
    assert "site 'demo2' created" in created.stderr

    config_path = sites / "demo2" / "site_config.json"
    config = json.loads(config_path.read_text())
    assert config["db_type"] == backend
    assert len(config["secret_key"]) >= 50
    assert stat.S_IMODE(config_path.stat().st_mode) == 0o600
    for folder in ("public/files", "private/files", "private/backups", "logs"):
        assert (sites / "demo2" / folder).is_dir()
    if backend == "mariadb":
        assert config["db_name"] == db_name
    assert _query(config, sites / "demo2", "SELECT COUNT(*) FROM lowcode_core_role") == [(9,)]
    assert _query(config, sites / "demo2", "SELECT is_superuser FROM auth_user WHERE username = 'Administrator'") == [
        (1,)
    ]

    migrated = bench("--site", "demo2", "migrate", env=env)
    assert migrated.returncode == 0, migrated.stderr
    assert "fixtures Role: 0 created, 0 updated, 9 unchanged" in migrated.stderr

    again = bench("new-site", "demo2", "--db-type", backend, "--db-name", db_name, env=env)
    assert again.returncode == 1
    assert "site 'demo2' already exists" in again.stderr

    dropped = bench("drop-site", "demo2", env=env)
    assert dropped.returncode == 0, dropped.stderr
    assert not (sites / "demo2").exists()
    if backend == "mariadb":
        with pytest.raises(MySQLdb.OperationalError, match="Unknown database"):
            _query(config, sites / "demo2", "SELECT 1")


def test_a_failed_new_site_leaves_nothing_behind(tmp_path: Path) -> None:
    sites = make_sites_dir(tmp_path)

    result = bench("new-site", "broken", "--db-type", "mariadb", "--db-port", "1", env=bench_env(sites))

    assert result.returncode == 1
    assert "cannot reach MariaDB at 127.0.0.1:1" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (sites / "broken").exists()


def test_bad_site_names_are_refused(tmp_path: Path) -> None:
    sites = make_sites_dir(tmp_path)
    result = bench("new-site", "../evil", env=bench_env(sites))
    assert result.returncode == 1
    assert "is not a valid site name" in result.stderr
    assert sorted(p.name for p in sites.iterdir()) == ["apps.txt", "common_site_config.json"]
