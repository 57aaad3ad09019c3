"""Print templates are written by administrators and rendered in Jinja's sandbox, with limits.

The template sees plain data only (dicts, lists, strings, numbers, dates — see lowcode.printing.context):
no model instance, so no ORM, settings or files to reach; attributes starting with "_" are refused by the
sandbox. Beyond the sandbox: loops over range() are bounded, "*" and "**" may not build huge values, the
output is capped, and a render that runs past its time is stopped (checked on every call, attribute,
loop step and output chunk).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from jinja2 import TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError
from markupsafe import Markup

from lowcode.core.sandbox import MAX_OUTPUT, MAX_SECONDS, Budget, LimitedSandbox


class TemplateProblem(Exception):
    """A template that does not compile, fails on the sample record, or breaks a limit; says where."""


class PrintSandbox(LimitedSandbox):
    def __init__(self) -> None:
        super().__init__(autoescape=True, trim_blocks=True, lstrip_blocks=True)
        self.filters["date_zh"] = date_zh
        self.filters["datetime_zh"] = datetime_zh
        self.filters["money"] = money
        self.globals["qr"] = qr_svg


@cache
def environment() -> PrintSandbox:
    return PrintSandbox()


def compile_template(source: str) -> Any:
    try:
        return environment().from_string(source)
    except TemplateSyntaxError as exc:
        raise TemplateProblem(_("Line %(line)s: %(error)s") % {"line": exc.lineno, "error": exc.message}) from None


def _template_line(exc: BaseException) -> int | None:
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def render(source: str, context: dict[str, Any], *, seconds: float = MAX_SECONDS) -> str:
    """Render a template in the sandbox within the limits; a failure is a TemplateProblem with its line."""
    template = compile_template(source)
    env = environment()
    env.budget = Budget(seconds)
    parts: list[str] = []
    size = 0
    try:
        for chunk in template.generate(context):
            size += len(chunk)
            if size > MAX_OUTPUT:
                raise SecurityError(_("the output is longer than %(max)s characters") % {"max": MAX_OUTPUT})
            env.budget.check()
            parts.append(chunk)
    except (SecurityError, UndefinedError, TypeError, ValueError, ArithmeticError, LookupError, RecursionError) as exc:
        line = _template_line(exc)
        where = _("Line %(line)s: ") % {"line": line} if line else ""
        raise TemplateProblem(f"{where}{exc}") from None
    finally:
        env.budget = None
    return "".join(parts)


def check_template(source: str) -> None:
    compile_template(source)


def check_format(print_format: Any) -> None:
    """At save: the template compiles and renders on a sample record of its DocType (the newest one)."""
    from lowcode.core import registry
    from lowcode.printing.context import document_context

    compile_template(print_format.template)
    try:
        model = registry.get(print_format.doctype).model
    except registry.UnknownDocType:
        raise TemplateProblem(_("No DocType is called “%(name)s”.") % {"name": print_format.doctype}) from None
    sample = model._default_manager.order_by("-pk").first()
    if sample is not None:
        render(print_format.template, document_context(sample, None))


# -- helpers the templates may call ------------------------------------------------------------------


def date_zh(value: Any) -> str:
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    return "" if value is None else str(value)


def datetime_zh(value: Any) -> str:
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
    return date_zh(value)


def money(value: Any) -> str:
    if value in (None, ""):
        return ""
    return f"{Decimal(str(value)):,.2f}"


def qr_svg(text: Any, scale: int = 3) -> Markup:
    """An inline SVG QR code of `text` (e.g. a verification URL)."""
    import segno

    svg = segno.make(str(text)[:1000], error="m").svg_inline(scale=max(1, min(int(scale), 10)))
    return Markup(svg)  # noqa: S704  (segno's own markup, from escaped data)
