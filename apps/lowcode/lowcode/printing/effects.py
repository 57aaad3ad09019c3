"""The workflow effect {"type": "print", "format": "受理承诺单"} (optionally "when": an expression on doc):
a transition that issues a notice renders
it inside its transaction and keeps the PDF (a failed render refuses the transition, so no step goes by
without its notice). It runs after the record's save (phase "after_save"): once the DocType's controller has
accepted the new state, so a refused transition renders nothing, and the notice shows the record as the
transition left it; if the transition still fails after it, the stored PDF is deleted with the rollback
(lowcode.core.documents.atomic_with_files). The format is checked when the workflow is saved and by
`manage.py check` (lowcode_printing.E001–E005): it exists, is enabled and prints the workflow's DocType."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from lowcode.core import registry
from lowcode.core.problems import Problem
from lowcode.printing.models import PrintFormat
from lowcode.workflow import effects
from lowcode.workflow.expressions import ExpressionError, compile_expression


def _validate(model: type[models.Model], effect: dict[str, Any]) -> list[str | Problem]:
    """The format named exists, is enabled and prints this DocType — else the transition would be refused
    each time it is taken (see _run)."""
    name = effect.get("format")
    if not isinstance(name, str) or not name.strip():
        return [
            Problem(
                "lowcode_printing.E001", "print: name the print format, e.g. {'type': 'print', 'format': '受理承诺单'}"
            )
        ]
    problems: list[str | Problem] = []
    if effect.get("when"):
        try:
            compile_expression(str(effect["when"]))
        except ExpressionError as exc:
            problems.append(
                Problem("lowcode_printing.E002", f"print: the condition {effect['when']!r} is invalid: {exc}")
            )
    found = PrintFormat.objects.filter(name=name).values("doctype", "disabled").first()
    doctype = registry.for_model(model)
    if found is None:
        problems.append(
            Problem(
                "lowcode_printing.E003",
                _("print: there is no print format “%(name)s”.") % {"name": name},
                hint=_("Create the print format (or restore it), or name an existing one."),
            )
        )
    elif found["disabled"]:
        problems.append(
            Problem(
                "lowcode_printing.E004",
                _("print: the print format “%(name)s” is disabled.") % {"name": name},
                hint=_("Enable the print format, or name another one."),
            )
        )
    elif doctype is not None and found["doctype"] != doctype.name:
        problems.append(
            Problem(
                "lowcode_printing.E005",
                _("print: the print format “%(name)s” prints %(other)s, not %(doctype)s.")
                % {"name": name, "other": found["doctype"], "doctype": doctype.name},
            )
        )
    return problems


def _run(doc: models.Model, effect: dict[str, Any], user: Any) -> list[str]:
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


effects.register(effects.EffectType("print", "after_save", _validate, _run))
