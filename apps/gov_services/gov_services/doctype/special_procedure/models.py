from django.db import models
from django.utils.translation import gettext_lazy as _

from lowcode.core.files import private_storage
from lowcode.core.models import Document


class SpecialProcedure(Document):
    """特别程序 (行政许可法 art. 45): a hearing, tender, auction, inspection, testing, quarantine, appraisal,
    expert review or site inspection an application needs. While it runs the application is in 特别程序 and its
    promised limit is paused — its time is not counted — and the applicant is told in writing its kind and
    expected duration (特别程序告知书)."""

    class Kind(models.TextChoices):
        SITE_INSPECTION = "site_inspection", _("Site inspection (现场勘验)")
        EXPERT_REVIEW = "expert_review", _("Expert review (专家评审)")
        HEARING = "hearing", _("Hearing (听证)")
        INSPECTION = "inspection", _("Inspection (检验)")
        TESTING = "testing", _("Testing (检测)")
        QUARANTINE = "quarantine", _("Quarantine (检疫)")
        APPRAISAL = "appraisal", _("Appraisal (鉴定)")
        TENDER = "tender", _("Tender (招标)")
        AUCTION = "auction", _("Auction (拍卖)")

    application = models.ForeignKey(
        "gov_services.Application",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="special_procedures",
    )
    department = models.ForeignKey(
        "gov_services.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    reason = models.TextField(_("why it is needed"))
    expected_days = models.PositiveSmallIntegerField(
        _("expected working days"), help_text=_("Told to the applicant; the time it takes is not counted.")
    )
    started_at = models.DateTimeField(_("started at"), db_index=True)
    expected_end = models.DateTimeField(_("expected to end by"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    findings = models.TextField(_("findings"), blank=True, help_text=_("What it found; required to end it."))
    attachment = models.FileField(
        _("attachment"),
        upload_to="special_procedures/%Y/%m/",
        blank=True,
        storage=private_storage,
        help_text=_("e.g. the inspection record, the experts' opinion, the hearing transcript."),
    )

    class Meta(Document.Meta):
        verbose_name = _("special procedure")
        verbose_name_plural = _("special procedures")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["application", "ended_at"], name="special_procedure_open")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.application}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None
