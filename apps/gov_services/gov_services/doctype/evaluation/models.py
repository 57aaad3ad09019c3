from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from lowcode.core.models import Document


class Evaluation(Document):
    """好差评 on an application or a work order; a poor level carries a reason and opens a rectification."""

    class Level(models.IntegerChoices):
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

    POOR_LEVELS = (Level.DISSATISFIED, Level.VERY_DISSATISFIED)

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
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
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
        constraints = [
            models.CheckConstraint(
                condition=models.Q(application__isnull=False, work_order__isnull=True)
                | models.Q(application__isnull=True, work_order__isnull=False),
                name="evaluation_of_one_thing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} · {self.application or self.work_order}"

    @property
    def is_poor(self) -> bool:
        return self.level in self.POOR_LEVELS

    def clean(self) -> None:
        if (self.application_id is None) == (self.work_order_id is None):
            raise ValidationError(_("An evaluation is of one application or one work order."))
        if self.level in self.POOR_LEVELS and not (self.reason or "").strip():
            raise ValidationError({"reason": _("A dissatisfied evaluation must give its reason.")})
