from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gov_services.gov_services.codes import JointMode
from lowcode.core.files import private_storage
from lowcode.core.models import Document


class JointReviewOpinion(Document):
    """One co-department's opinion in a joint review (联合审查, S001 三(四)1(2), 三(五); S000 art. 9(3)).

    Starting the joint review of an application asks each co-department of its matter for one. Serial review
    (前后置) opens them in the matter's order, the next when the one before has agreed; parallel review (并联)
    opens them all at once. Each open one runs its own clock, charged to its department; the lead department
    finishes the joint review when every department has answered."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting for the departments before it")
        REVIEWING = "reviewing", _("Under review")
        AGREED = "agreed", _("Agreed")
        DISAGREED = "disagreed", _("Disagreed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    OPEN = (Status.WAITING, Status.REVIEWING)

    application = models.ForeignKey(
        "gov_services.Application",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="joint_opinions",
    )
    department = models.ForeignKey(
        "gov_services.Department", verbose_name=_("co-department"), on_delete=models.PROTECT, related_name="+"
    )
    lead_department = models.ForeignKey(
        "gov_services.Department", verbose_name=_("lead department"), on_delete=models.PROTECT, related_name="+"
    )
    mode = models.CharField(_("joint handling"), max_length=10, choices=JointMode.choices)
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    step = models.PositiveSmallIntegerField(_("step"), default=1)
    review_days = models.PositiveSmallIntegerField(_("working days for its opinion"), default=5)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.WAITING)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    opinion = models.TextField(_("opinion"), blank=True)
    attachment = models.FileField(
        _("attachment"), upload_to="joint_reviews/%Y/%m/", blank=True, storage=private_storage
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta(Document.Meta):
        verbose_name = _("joint review opinion")
        verbose_name_plural = _("joint review opinions")
        ordering = ["application", "round", "step", "id"]
        indexes = [
            models.Index(fields=["application", "status"], name="joint_opinion_open"),
            models.Index(fields=["department", "status"], name="joint_opinion_department"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["application", "round", "department"], name="joint_opinion_once"),
        ]

    def __str__(self) -> str:
        return f"{self.application} · {self.department}"

    review_unit = "working_days"  # the unit of review_days, for the clock's limit fields

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN
