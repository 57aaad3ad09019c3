"""Sites: one folder per site under sites/, with its site_config.json layered over common_site_config.json.

A process serves exactly one site, chosen by the LOWCODE_SITE environment variable (set by
`bench --site NAME`) or by sites/currentsite.txt (set by `bench use NAME`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH_ROOT = Path(os.environ.get("BENCH_ROOT") or Path(__file__).resolve().parents[3])


class SiteError(Exception):
    """A site is missing or misconfigured; the message says which and how to fix it."""


def sites_path() -> Path:
    return Path(os.environ.get("LOWCODE_SITES_PATH") or BENCH_ROOT / "sites")


def read_json(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as f:
        data = json.load(f)
    if not isinstance(data, dict):
        raise SiteError(f"{path} must hold a JSON object")
    return data


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    os.chmod(tmp, 0o600)
    tmp.replace(path)


def installed_apps() -> list[str]:
    """Apps of this bench, in load order (sites/apps.txt, as in Frappe)."""
    path = sites_path() / "apps.txt"
    if not path.exists():
        return ["lowcode"]
    apps = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return apps if apps and apps[0] == "lowcode" else ["lowcode", *[a for a in apps if a != "lowcode"]]


def current_site_name() -> str | None:
    name = os.environ.get("LOWCODE_SITE")
    if name:
        return name
    path = sites_path() / "currentsite.txt"
    if path.exists():
        return path.read_text(encoding="utf-8").strip() or None
    return None


@dataclass(frozen=True)
class Site:
    name: str
    path: Path
    config: dict[str, Any]

    @property
    def db_type(self) -> str:
        return str(self.config.get("db_type", "sqlite"))

    @property
    def redis_url(self) -> str:
        return str(self.config.get("redis_url", "redis://127.0.0.1:6379/0"))

    def queue_name(self, queue: str = "default") -> str:
        """rq queue names are prefixed with the site, so sites sharing one Redis never mix jobs."""
        return f"{self.name}:{queue}"


def get_site(name: str | None = None) -> Site:
    name = name or current_site_name()
    if not name:
        raise SiteError(
            "no site selected: pass --site NAME, run `bench use NAME`, or create one with `bench new-site NAME`"
        )
    path = sites_path() / name
    config_path = path / "site_config.json"
    if not config_path.exists():
        raise SiteError(
            f"site {name!r} does not exist ({config_path} is missing); create it with `bench new-site {name}`"
        )
    config = {**read_json(sites_path() / "common_site_config.json"), **read_json(config_path)}
    return Site(name=name, path=path, config=config)


def list_sites() -> list[str]:
    root = sites_path()
    if not root.exists():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "site_config.json").exists())
