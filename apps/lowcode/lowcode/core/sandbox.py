"""Jinja's sandbox with limits, for everything administrators write that the platform runs: print templates
(lowcode.printing) and condition expressions (lowcode.workflow). Beyond the sandbox: loops over range() are
bounded, "*" and "**" may not build huge values, and a run past its time budget is stopped (checked on every
call, attribute, item, loop step — and by the caller on each output chunk). A run that recurses too deeply
fails like one that breaks a limit.
"""

from __future__ import annotations

import operator
import threading
import time
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_SECONDS = 5.0
MAX_OUTPUT = 2_000_000  # characters of HTML
MAX_RANGE = 10_000
MAX_REPEAT = 100_000  # the longest string or list "*" may build


class Budget:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.ends:
            raise SecurityError(_("it ran longer than %(seconds)s seconds") % {"seconds": self.seconds})


class LimitedSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with limits: bounded range(), "*" and "**", and a time budget per run."""

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._local = threading.local()  # the budget of the run going on in this thread
        self.globals.pop("lipsum", None)
        self.globals["range"] = self._range

    @property
    def budget(self) -> Budget | None:
        return getattr(self._local, "budget", None)

    @budget.setter
    def budget(self, value: Budget | None) -> None:
        self._local.budget = value

    def _tick(self) -> None:
        if self.budget is not None:
            self.budget.check()

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
        return super().call(__context, __obj, *args, **kwargs)

    def getattr(self, obj: Any, attribute: str) -> Any:
        self._tick()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        self._tick()
        return super().getitem(obj, argument)

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        self._tick()
        if operator_ == "**":
            if abs(right) > 100 or abs(left) > 10**6:
                raise SecurityError(_("the power is too large"))
            return operator.pow(left, right)
        for sized, count in ((left, right), (right, left)):
            if isinstance(sized, str | list | tuple) and isinstance(count, int) and len(sized) * count > MAX_REPEAT:
                raise SecurityError(_("“*” would build a value longer than %(max)s") % {"max": MAX_REPEAT})
        return operator.mul(left, right)
