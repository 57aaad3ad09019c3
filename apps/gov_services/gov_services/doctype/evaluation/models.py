from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from lowcode.core.models import Document


class EvaluationScale(Document):
    """A 好差评 scale: its levels, best first, and which of them count as poor. A site evaluates on the one in
    use — the national five levels (shipped in use) or, e.g., the four of S004 art. 22."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    is_default = models.BooleanField(_("in use"), default=False, help_text=_("The scale new evaluations use."))
    description = models.TextField(_("description"), blank=True)

    class Meta(Document.Meta):
        verbose_name = _("evaluation scale")
        verbose_name_plural = _("evaluation scales")
        ordering = ["-is_default", "name"]

    def __str__(self) -> str:
        return self.name


class EvaluationScaleLevel(models.Model):
    scale = models.ForeignKey(EvaluationScale, verbose_name=_("scale"), on_delete=models.CASCADE, related_name="levels")
    value = models.PositiveSmallIntegerField(_("value"), help_text=_("Higher is better, e.g. 5 = very satisfied."))
    label_zh = models.CharField(_("label (Chinese)"), max_length=50)
    label_en = models.CharField(_("label (English)"), max_length=50, blank=True)
    is_poor = models.BooleanField(
        _("counts as poor"), default=False, help_text=_("A poor review needs its reason and opens a rectification.")
    )

    class Meta:
        verbose_name = _("scale level")
        verbose_name_plural = _("scale levels")
        ordering = ["scale", "-value"]
        constraints = [models.UniqueConstraint(fields=["scale", "value"], name="evaluation_scale_level_unique")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        from django.utils.translation import get_language

        if not (get_language() or "").startswith("zh") and self.label_en:
            return self.label_en
        return self.label_zh


class Evaluation(Document):
    """好差评 on an application or a work order; a poor level carries a reason and opens a rectification."""

    class Level(models.IntegerChoices):  # the national scale's values (the shipped scale in use)
        VERY_SATISFIED = 5, _("Very satisfied")
        SATISFIED = 4, _("Satisfied")
        BASICALLY_SATISFIED = 3, _("Basically satisfied")
        DISSATISFIED = 2, _("Dissatisfied")
        VERY_DISSATISFIED = 1, _("Very dissatisfied")

    class Channel(models.TextChoices):
        PC = "pc", _("PC")
        MOBILE = "mobile", _("Mobile")
        QR = "qr", _("QR code")
        TABLET = "tablet", _("Hall tablet")
        PHONE = "phone", _("Phone")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        RECORDED = "recorded", _("Recorded")
        POOR = "poor", _("Poor review, awaiting callback")
        CALLED_BACK = "called_back", _("Called back")
        RECTIFYING = "rectifying", _("Rectifying")
        RECTIFIED = "rectified", _("Rectified")
        REVIEWED = "reviewed", _("Rectification reviewed")
        APPEALED = "appealed", _("Appealed")
        REMOVED = "removed", _("Removed after appeal")

    POOR_LEVELS = (Level.DISSATISFIED, Level.VERY_DISSATISFIED)  # on the national scale

    application = models.ForeignKey(
        "gov_services.Application",
        verbose_name=_("application"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evaluations",
    )
    work_order = models.ForeignKey(
        "gov_services.WorkOrder",
        verbose_name=_("work order"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evaluations",
    )
    department = models.ForeignKey(
        "gov_services.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="evaluations"
    )
    level = models.PositiveSmallIntegerField(_("level"), help_text=_("A value of the evaluation scale in use."))
    # What the level meant on the scale it was given on, recorded with it: a later change of scale changes no
    # review already given.
    level_label = models.CharField(_("level given"), max_length=50, blank=True)
    poor = models.BooleanField(_("poor review"), default=False)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    text = models.TextField(_("comment"), blank=True)
    reason = models.TextField(_("reason"), blank=True, help_text=_("Required for a poor level (S004 art. 22)."))
    evaluator_name = models.CharField(_("evaluator"), max_length=100)
    evaluator_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("portal account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="evaluations",
    )
    evaluated_at = models.DateTimeField(_("evaluated at"), db_index=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RECORDED, db_index=True
    )
    callback_at = models.DateTimeField(_("called back at"), null=True, blank=True)
    callback_note = models.TextField(_("callback note"), blank=True)
    rectification = models.TextField(_("rectification"), blank=True)
    rectified_at = models.DateTimeField(_("rectified at"), null=True, blank=True)
    review_note = models.TextField(_("review of the rectification"), blank=True)
    appeal_reason = models.TextField(_("appeal"), blank=True)

    class Meta(Document.Meta):
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-evaluated_at", "-id"]
        indexes = [
            # the desk's filters "poor review" and "level", each in the list's default order
            models.Index(fields=["poor", "evaluated_at"], name="evaluation_poor"),
            models.Index(fields=["level", "level_label", "evaluated_at"], name="evaluation_level"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(application__isnull=False, work_order__isnull=True)
                | models.Q(application__isnull=True, work_order__isnull=False),
                name="evaluation_of_one_thing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.level_label or self.level} · {self.application or self.work_order}"

    @property
    def is_poor(self) -> bool:
        """Poor as the scale it was given on says."""
        return self.poor

    def clean(self) -> None:
        if (self.application_id is None) == (self.work_order_id is None):
            raise ValidationError(_("An evaluation is of one application or one work order."))
        if self.poor and not (self.reason or "").strip():
            raise ValidationError({"reason": _("A dissatisfied evaluation must give its reason.")})
