from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from gov_services.gov_services.doctype.evaluation.models import Evaluation
from lowcode.core.controller import system_write
from lowcode.core.documents import insert_doc


@transaction.atomic
def evaluation_create(*, user: Any, evaluated_at: datetime | None = None, **fields: Any) -> Evaluation:
    """Record an evaluation; a poor one (with its required reason) waits for a callback. `evaluated_at` is the
    system's: now, or the day an imported evaluation was given."""
    evaluation = Evaluation(evaluated_at=evaluated_at or timezone.now(), **fields)
    with system_write():
        return insert_doc(evaluation, user=user)
