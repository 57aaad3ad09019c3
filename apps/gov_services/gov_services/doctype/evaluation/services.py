from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from gov_services.gov_services.doctype.evaluation.models import Evaluation, EvaluationScale, EvaluationScaleLevel
from lowcode.core.controller import system_write
from lowcode.core.documents import insert_doc, save_rows


@transaction.atomic
def evaluation_create(*, user: Any, evaluated_at: datetime | None = None, **fields: Any) -> Evaluation:
    """Record an evaluation; a poor one (with its required reason) waits for a callback. `evaluated_at` is the
    system's: now, or the day an imported evaluation was given."""
    evaluation = Evaluation(evaluated_at=evaluated_at or timezone.now(), **fields)
    with system_write():
        return insert_doc(evaluation, user=user)


@transaction.atomic
def scale_upsert(record: dict[str, Any]) -> str:
    """A shipped evaluation scale (fixture): created with its levels when the site has none of that name; an
    existing one is the site's to edit and is left as it is."""
    if EvaluationScale.objects.filter(name=record["name"]).exists():
        return "unchanged"
    scale = EvaluationScale(
        name=record["name"], is_default=bool(record.get("is_default")), description=record.get("description", "")
    )
    with system_write():
        insert_doc(scale)
        levels = [
            EvaluationScaleLevel(
                scale=scale,
                value=level["value"],
                label_zh=level["label_zh"],
                label_en=level.get("label_en", ""),
                is_poor=bool(level.get("is_poor")),
            )
            for level in record.get("levels", [])
        ]
        save_rows(scale, EvaluationScaleLevel, changed=levels, table=levels)
    return "created"
