"""The evaluation scale in use: its levels and which of them are poor, read by every writer of an evaluation
(the portal's form, the desk, the API, an import) and by what shows one."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language

from gov_services.gov_services.doctype.evaluation.models import EvaluationScale


@dataclass(frozen=True)
class Level:
    value: int
    label_zh: str
    label_en: str
    is_poor: bool

    @property
    def label(self) -> str:
        if not (get_language() or "").startswith("zh") and self.label_en:
            return self.label_en
        return self.label_zh


@dataclass(frozen=True)
class Scale:
    name: str
    levels: tuple[Level, ...]  # best first

    def get(self, value: object) -> Level | None:
        return next((level for level in self.levels if level.value == value), None)

    def choices(self) -> list[tuple[int, str]]:
        return [(level.value, level.label) for level in self.levels]

    @property
    def poor_values(self) -> frozenset[int]:
        return frozenset(level.value for level in self.levels if level.is_poor)


# The national 好差评 scale (国务院办公厅 2019): what a site evaluates on until an administrator chooses a scale.
NATIONAL = Scale(
    "全国政务服务“好差评”五级",
    (
        Level(5, "非常满意", "Very satisfied", False),
        Level(4, "满意", "Satisfied", False),
        Level(3, "基本满意", "Basically satisfied", False),
        Level(2, "不满意", "Dissatisfied", True),
        Level(1, "非常不满意", "Very dissatisfied", True),
    ),
)


def scale_in_use() -> Scale:
    stored = EvaluationScale.objects.filter(is_default=True).prefetch_related("levels").order_by("pk").first()
    if stored is None:
        return NATIONAL
    levels = tuple(
        Level(row.value, row.label_zh, row.label_en, row.is_poor)
        for row in sorted(stored.levels.all(), key=lambda row: -row.value)
    )
    return Scale(stored.name, levels) if levels else NATIONAL
