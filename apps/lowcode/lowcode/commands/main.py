"""The bench command line. `./bench --help` lists the commands; `./bench CMD --help` explains one."""

from __future__ import annotations

import argparse
import os
import sys

from lowcode.commands.util import CommandError, info
from lowcode.sites import SiteError, current_site_name


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="bench", description="Run and manage the sites of this bench.")
    p.add_argument("--site", help="the site to act on (default: sites/currentsite.txt, set by `bench use`)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser("start", help="set up everything and run web, worker, scheduler (Ctrl-C stops)")
    s.add_argument("--port", type=int, help="web port (default 8000, or the next free one)")

    s = sub.add_parser("test", help="lint, checks and the whole suite on SQLite and MariaDB with real Redis")
    s.add_argument(
        "--ci",
        action="store_true",
        default=os.environ.get("CI") == "true",
        help="MariaDB and Redis must answer; never start or skip (default when CI=true)",
    )
    s.add_argument("--backend", choices=["sqlite", "mariadb"], action="append", help="only this backend (repeatable)")
    s.add_argument("--no-lint", action="store_true", help="skip ruff, check and makemigrations --check")
    s.add_argument("pytest_args", nargs=argparse.REMAINDER, help="passed to pytest (after --)")

    s = sub.add_parser("new-site", help="create a site: config, database, migrations, fixtures, Administrator")
    s.add_argument("name")
    s.add_argument("--db-type", choices=["sqlite", "mariadb"], default="sqlite")
    s.add_argument("--db-name")
    s.add_argument("--db-host", default="127.0.0.1")
    s.add_argument("--db-port", type=int, default=3306)
    s.add_argument("--db-user", default="root")
    s.add_argument("--db-password", default="")
    s.add_argument("--admin-password")
    s.add_argument("--redis-url")
    s.add_argument("--force", action="store_true", help="replace an existing site or database")

    s = sub.add_parser("drop-site", help="delete a site and its database")
    s.add_argument("name")
    s = sub.add_parser("use", help="make a site the default")
    s.add_argument("name")
    sub.add_parser("list-sites", help="list the sites of this bench")
    sub.add_parser("migrate", help="apply migrations and sync fixtures")
    sub.add_parser("sync-fixtures", help="load every app's fixtures (idempotent)")
    sub.add_parser("load-demo", help="load every app's demo data (idempotent)")
    s = sub.add_parser("set-admin-password", help="set the Administrator's password")
    s.add_argument("password")
    sub.add_parser("console", help="a Python shell with the site loaded")
    s = sub.add_parser("serve", help="the web server (gunicorn)")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--workers", type=int, default=2)
    s = sub.add_parser("worker", help="an rq worker for the site's queues")
    s.add_argument("--burst", action="store_true", help="stop when the queues are empty")
    s.add_argument("--queue", action="append", help="short, default or long (repeatable; default all)")
    sub.add_parser("scheduler", help="enqueue scheduler_events on time (rq cron)")
    from lowcode.commands import calendar

    calendar.add_parser(sub)
    s = sub.add_parser("make-benchmark-data", help="bulk records for benchmarks (every app's benchmark_data hook)")
    s.add_argument("--applications", type=int, default=0, help="make sure there are this many benchmark records")
    s.add_argument("--open-fraction", type=float, default=0.3, help="share still open, with running deadlines")
    s.add_argument("--seed", type=int, default=7)
    s = sub.add_parser("generate-api-keys", help="new API key and secret for a user (the secret is printed once)")
    s.add_argument("username")
    s = sub.add_parser("benchmark", help="run benchmarks/NAME.py against the site and print its figures")
    s.add_argument("name")
    s.add_argument("args", nargs=argparse.REMAINDER)
    s = sub.add_parser("manage", help="a Django management command for the site")
    s.add_argument("args", nargs=argparse.REMAINDER)
    return p


def _site(args: argparse.Namespace) -> str:
    name = args.site or current_site_name()
    if not name:
        raise CommandError("no site selected: pass --site NAME or run `bench use NAME`")
    return name


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _dispatch(args) or 0
    except (CommandError, SiteError) as exc:
        info(f"error: {exc}")
        return 1
    except KeyboardInterrupt:
        return 130


def _dispatch(args: argparse.Namespace) -> int | None:
    from lowcode.commands import run, site

    cmd = args.command
    if cmd is None:
        _parser().print_help()
        return 2
    if cmd == "start":
        return run.start(args.site, args.port)
    if cmd == "test":
        from lowcode.commands.test import test

        extra = [a for a in args.pytest_args if a != "--"]
        return test(
            ci=args.ci, backends=args.backend or ["sqlite", "mariadb"], pytest_args=extra, lint=not args.no_lint
        )
    if cmd == "new-site":
        site.new_site(
            args.name,
            db_type=args.db_type,
            db_name=args.db_name,
            db_host=args.db_host,
            db_port=args.db_port,
            db_user=args.db_user,
            db_password=args.db_password,
            admin_password=args.admin_password,
            redis_url=args.redis_url,
            force=args.force,
        )
        return 0
    if cmd == "drop-site":
        site.drop_site(args.name)
    elif cmd == "use":
        site.use(args.name)
    elif cmd == "list-sites":
        from lowcode.sites import list_sites

        print("\n".join(list_sites()))
    elif cmd == "serve":
        run.serve(_site(args), args.port, workers=args.workers)
    elif cmd == "worker":
        run.worker(_site(args), burst=args.burst, queues=args.queue)
    elif cmd == "scheduler":
        run.scheduler(_site(args))
    elif cmd == "console":
        run.console(_site(args))
    elif cmd == "calendar":
        from lowcode.commands import calendar

        return calendar.run(args.site or current_site_name(), args)
    elif cmd == "manage":
        run.manage(_site(args), args.args)
    elif cmd == "make-benchmark-data":
        from lowcode.commands import benchmark

        benchmark.make_data(
            _site(args), applications=args.applications, open_fraction=args.open_fraction, seed=args.seed
        )
    elif cmd == "generate-api-keys":
        from lowcode.commands.util import setup_django

        setup_django(_site(args))
        from django.contrib.auth import get_user_model

        from lowcode.api.models import credential_generate

        user = get_user_model().objects.filter(username=args.username).first()
        if user is None:
            raise CommandError(f"no user {args.username!r}")
        credential, secret = credential_generate(user=user)
        print(f"{credential.api_key} {secret}")
    elif cmd == "benchmark":
        from lowcode.commands import benchmark

        return benchmark.run(_site(args), args.name, args.args)
    else:
        from lowcode.commands.util import setup_django

        setup_django(_site(args))
        if cmd == "migrate":
            site.migrate()
        elif cmd == "sync-fixtures":
            site.sync_fixtures()
        elif cmd == "load-demo":
            site.load_demo()
        elif cmd == "set-admin-password":
            site.set_admin_password(args.password)
    return 0


if __name__ == "__main__":
    sys.exit(main())
