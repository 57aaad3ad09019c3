"""Jinja's sandbox with limits, for everything administrators write that the platform runs: print templates
(lowcode.printing) and condition expressions (lowcode.workflow). Beyond the sandbox: loops over range() are
bounded, "*" and "**" may not build huge values, and a run past its time budget is stopped (checked on every
call, attribute, item, loop step — and by the caller on each output chunk). A run that recurses too deeply
fails like one that breaks a limit.
"""

from __future__ import annotations

import operator
import re
import threading
import time
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _
from jinja2 import pass_environment
from jinja2.exceptions import SecurityError
from jinja2.filters import do_center, do_format, do_indent, make_attrgetter
from jinja2.runtime import Namespace
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_SECONDS = 5.0
MAX_OUTPUT = 2_000_000  # characters of HTML
MAX_RANGE = 10_000
MAX_REPEAT = 100_000  # the longest string or list "*" may build, and the widest a value may be padded to
WIDTH_METHODS = frozenset({"ljust", "rjust", "center", "zfill", "expandtabs"})
# the widths and precisions in "%-20s" and in "{:>20}" / "{0:.3f}" — each must stay under MAX_REPEAT
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\d*)(?:\.(\d+))?")
_BRACE_SPEC = re.compile(r"\{[^{}]*?:([^{}]*)\}")
_PERCENT_STAR = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\d*\.)?\d*\*")
_BRACE_NESTED = re.compile(r"\{[^{}]*:[^{}]*\{")


def _width(value: Any) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_REPEAT:
        raise SecurityError(
            _("a width of %(width)s is more than the %(max)s allowed") % {"width": value, "max": MAX_REPEAT}
        )


def _size(value: Any) -> None:
    """No intermediate value (an argument, a namespace attribute, a sum) longer than a whole page may be."""
    if isinstance(value, str | list | tuple) and len(value) > MAX_OUTPUT:
        raise SecurityError(_("a value longer than %(max)s was built") % {"max": MAX_OUTPUT})


class LimitedNamespace(Namespace):
    def __setitem__(self, name: str, value: Any) -> None:
        _size(value)
        super().__setitem__(name, value)


def _format_widths(template: Any, *, percent: bool) -> None:
    """Refuse a format string that pads or repeats past MAX_REPEAT before it builds anything."""
    if not isinstance(template, str):
        return
    if (percent and _PERCENT_STAR.search(template)) or (not percent and _BRACE_NESTED.search(template)):
        raise SecurityError(_("a width taken from an argument is not allowed"))
    numbers = (
        [n for m in _PERCENT_SPEC.finditer(template) for n in m.groups() if n]
        if percent
        else [n for spec in _BRACE_SPEC.findall(template) for n in re.findall(r"\d+", spec)]
    )
    for number in numbers:
        _width(int(number))


class Budget:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.ends:
            raise SecurityError(_("it ran longer than %(seconds)s seconds") % {"seconds": self.seconds})


class LimitedSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with limits: bounded range(), "*" and "**", and a time budget per run."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._local = threading.local()  # the budget of the run going on in this thread
        self.globals.pop("lipsum", None)
        self.globals["range"] = self._range
        self.globals["namespace"] = LimitedNamespace
        self.filters["center"] = _center
        self.filters["sum"] = _sum
        self.filters["indent"] = _indent
        self.filters["format"] = _format
        self.filters = {name: self._ticking(f) for name, f in self.filters.items()}

    @property
    def budget(self) -> Budget | None:
        return getattr(self._local, "budget", None)

    @budget.setter
    def budget(self, value: Budget | None) -> None:
        self._local.budget = value

    def _tick(self) -> None:
        if self.budget is not None:
            self.budget.check()

    def _ticking(self, f: Any) -> Any:
        """A filter that checks the budget before and after it runs (one filter over a long list cannot be
        stopped halfway, but the run stops as soon as it returns)."""

        def run(*args: Any, **kwargs: Any) -> Any:
            self._tick()
            result = f(*args, **kwargs)
            self._tick()
            return result

        run.__name__ = getattr(f, "__name__", "filter")
        if hasattr(f, "jinja_pass_arg"):
            run.jinja_pass_arg = f.jinja_pass_arg  # type: ignore[attr-defined]
        return run

    def _range(self, *args: int) -> Iterator[int]:
        values = range(*args)
        if len(values) > MAX_RANGE:
            raise SecurityError(_("range() is limited to %(max)s items") % {"max": MAX_RANGE})
        for i, value in enumerate(values):
            if i % 64 == 0:
                self._tick()
            yield value

    def call(self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        self._tick()
        for value in (*args, *kwargs.values()):
            _size(value)
        bound_to = getattr(__obj, "__self__", None)
        if isinstance(bound_to, str):
            name = getattr(__obj, "__name__", "")
            if name in WIDTH_METHODS:
                for value in (*args, *kwargs.values()):
                    _width(value)
        return super().call(__context, __obj, *args, **kwargs)

    def getattr(self, obj: Any, attribute: str) -> Any:
        self._tick()
        if isinstance(obj, str) and attribute in ("format", "format_map"):
            _format_widths(obj, percent=False)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        self._tick()
        return super().getitem(obj, argument)

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        self._tick()
        if operator_ == "+":
            if isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple):
                if len(left) + len(right) > MAX_OUTPUT:
                    raise SecurityError(_("a value longer than %(max)s was built") % {"max": MAX_OUTPUT})
            return operator.add(left, right)
        if operator_ == "%":
            _format_widths(left, percent=True)
            return operator.mod(left, right)
        if operator_ == "**":
            if abs(right) > 100 or abs(left) > 10**6:
                raise SecurityError(_("the power is too large"))
            return operator.pow(left, right)
        for sized, count in ((left, right), (right, left)):
            if isinstance(sized, str | list | tuple) and isinstance(count, int) and len(sized) * count > MAX_REPEAT:
                raise SecurityError(_("“*” would build a value longer than %(max)s") % {"max": MAX_REPEAT})
        return operator.mul(left, right)


def _center(value: Any, width: int = 80) -> str:
    _width(width)
    return do_center(value, width)


def _indent(value: Any, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
    _width(width if isinstance(width, int) else len(str(width)))
    return do_indent(value, width, first, blank)


def _format(value: str, *args: Any, **kwargs: Any) -> str:
    _format_widths(value, percent=True)
    return do_format(value, *args, **kwargs)


@pass_environment
def _sum(environment: Any, iterable: Any, attribute: Any = None, start: Any = 0) -> Any:
    """Jinja's sum, which cannot join lists or strings past MAX_OUTPUT."""
    total = start
    getter = make_attrgetter(environment, attribute) if attribute is not None else (lambda item: item)
    for item in iterable:
        value = getter(item)
        if isinstance(total, str | list | tuple) and isinstance(value, str | list | tuple):
            if len(total) + len(value) > MAX_OUTPUT:
                raise SecurityError(_("a value longer than %(max)s was built") % {"max": MAX_OUTPUT})
        total = total + value
    return total
