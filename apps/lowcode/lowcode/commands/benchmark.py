"""`bench make-benchmark-data` (every app's `benchmark_data` hook) and `bench benchmark NAME` (benchmarks/)."""

from __future__ import annotations

import importlib.util
import time

from lowcode.commands.util import CommandError, info, setup_django
from lowcode.sites import BENCH_ROOT


def make_data(site: str, **options: object) -> None:
    setup_django(site)
    from django.utils.module_loading import import_string

    from lowcode.core.hooks import get_hooks

    paths = get_hooks("benchmark_data", []) or []
    if not paths:
        raise CommandError("no installed app provides benchmark data (hook `benchmark_data`)")
    for path in paths:
        started = time.perf_counter()
        made = import_string(path)(progress=info, **options)
        figures = ", ".join(f"{k} {v}" for k, v in (made or {}).items())
        info(f"benchmark data ({path}): {figures} in {time.perf_counter() - started:.0f} s")


def run(site: str, name: str, args: list[str]) -> int:
    path = BENCH_ROOT / "benchmarks" / f"{name}.py"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in (BENCH_ROOT / "benchmarks").glob("*.py")))
        raise CommandError(f"no benchmark {name!r} (known: {known})")
    setup_django(site)
    spec = importlib.util.spec_from_file_location(f"benchmarks.{name}", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return int(module.main([a for a in args if a != "--"]) or 0)
