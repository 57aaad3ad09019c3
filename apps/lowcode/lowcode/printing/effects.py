"""The workflow effect {"type": "print", "format": "受理承诺单"} (optionally "when": an expression on doc):
a transition that issues a notice renders
it inside its transaction and keeps the PDF (a failed render refuses the transition, so no step goes by
without its notice)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from lowcode.workflow import effects


def _validate(model: type[models.Model], effect: dict[str, Any]) -> list[str]:
    if not isinstance(effect.get("format"), str) or not effect["format"].strip():
        return ["print: name the print format, e.g. {'type': 'print', 'format': '受理承诺单'}"]
    if effect.get("when"):
        from lowcode.workflow.expressions import ExpressionError, compile_expression

        try:
            compile_expression(str(effect["when"]))
        except ExpressionError as exc:
            return [f"print: the condition {effect['when']!r} is invalid: {exc}"]
    return []


def _run(doc: models.Model, effect: dict[str, Any], user: Any) -> list[str]:
    from lowcode.printing.models import PrintFormat
    from lowcode.printing.sandbox import TemplateProblem
    from lowcode.printing.services import printed_document_issue
    from lowcode.workflow.engine import WorkflowError
    from lowcode.workflow.expressions import evaluate

    if effect.get("when") and not evaluate(str(effect["when"]), doc, user):
        return []
    print_format = PrintFormat.objects.filter(name=effect["format"], disabled=False).first()
    if print_format is None:
        raise WorkflowError(_("The print format “%(name)s” is missing or disabled.") % {"name": effect["format"]})
    try:
        printed_document_issue(print_format=print_format, doc=doc, user=user, action=effect.get("transition", ""))
    except TemplateProblem as exc:
        raise WorkflowError(
            _("“%(name)s” could not be printed: %(error)s") % {"name": print_format.name, "error": exc}
        ) from None
    return []


effects.register(effects.EffectType("print", "before_save", _validate, _run))
