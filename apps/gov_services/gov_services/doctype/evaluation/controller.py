"""The Evaluation controller: an evaluation is the evaluator's and never changes once recorded (S003 art. 25,
S004 art. 22); corrections go through appeal and review (the 差评整改 workflow)."""

from __future__ import annotations

from django.utils import timezone

from gov_services.gov_services.doctype.evaluation.models import Evaluation
from lowcode.core.controller import Controller, WriteContext


class EvaluationController(Controller):
    def before_insert(self, doc: Evaluation, ctx: WriteContext) -> None:
        if doc.evaluated_at is None:
            doc.evaluated_at = timezone.now()
        if doc.department_id is None:
            source = doc.application or doc.work_order
            doc.department_id = getattr(source, "department_id", None)
        if doc.is_poor:
            doc.status = Evaluation.Status.POOR
