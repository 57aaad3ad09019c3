from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from gov_services.gov_services.doctype.evaluation.models import Evaluation
from lowcode.core.documents import insert_doc


@transaction.atomic
def evaluation_create(*, user: Any, evaluated_at: datetime | None = None, **fields: Any) -> Evaluation:
    """Record an evaluation; a poor one (with its required reason) waits for a callback."""
    evaluation = Evaluation(evaluated_at=evaluated_at or timezone.now(), **fields)
    if evaluation.department_id is None:
        source = evaluation.application or evaluation.work_order
        evaluation.department_id = getattr(source, "department_id", None)
    if evaluation.is_poor:
        evaluation.status = Evaluation.Status.POOR
    return insert_doc(evaluation, user=user)
