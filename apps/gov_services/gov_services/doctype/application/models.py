from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gov_services.gov_services.codes import Channel, DeliveryMethod, IdType
from gov_services.gov_services.doctype.guide.models import GuideMaterial
from gov_services.gov_services.identifiers import validate_resident_id, validate_uscc
from lowcode.core.files import private_storage
from lowcode.core.models import Document

NAMING_SERIES = "BJ.YYYY.MM.DD.######"


def validate_applicant_id(id_type: str, id_number: str) -> None:
    """Check an ID number against its type; raises ValidationError keyed by field."""
    try:
        if id_type == IdType.RESIDENT_ID:
            validate_resident_id(id_number)
        elif id_type == IdType.USCC:
            validate_uscc(id_number)
        elif not id_number.strip():
            raise ValidationError(_("The ID number is required."))
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from None


class Application(Document):
    """办件: one application for one matter, under the guide version in force when it was made."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        PRE_REVIEW = "pre_review", _("In pre-review")
        ONE_TIME_NOTICE = "one_time_notice", _("One-time notice issued")
        NOT_ACCEPTED = "not_accepted", _("Not accepted")
        ACCEPTED = "accepted", _("Accepted")
        SUPPLEMENT_REQUESTED = "supplement_requested", _("Supplement requested")
        UNDER_REVIEW = "under_review", _("Under review")
        JOINT_REVIEW = "joint_review", _("In joint review")
        SPECIAL_PROCEDURE = "special_procedure", _("Special procedure")
        APPROVED = "approved", _("Approved")
        DENIED = "denied", _("Denied")
        LICENCE_ISSUED = "licence_issued", _("Licence issued")
        RESULT_HANDED_OVER = "result_handed_over", _("Result handed over")
        DELIVERED = "delivered", _("Delivered")
        ARCHIVED = "archived", _("Archived")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class ApplicantType(models.TextChoices):
        PERSON = "person", _("Natural person")
        COMPANY = "company", _("Legal person or organisation")

    Delivery = DeliveryMethod

    number = models.CharField(_("application number"), max_length=40, unique=True, editable=False)
    matter = models.ForeignKey(
        "gov_services.Matter", verbose_name=_("matter"), on_delete=models.PROTECT, related_name="applications"
    )
    guide = models.ForeignKey(
        "gov_services.Guide", verbose_name=_("guide version"), on_delete=models.PROTECT, related_name="applications"
    )
    department = models.ForeignKey(
        "gov_services.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="applications",
        help_text=_("The implementing department, which reviews and decides."),
    )
    co_departments = models.ManyToManyField(
        "gov_services.Department", verbose_name=_("co-departments"), blank=True, related_name="co_applications"
    )
    applicant_type = models.CharField(_("applicant type"), max_length=10, choices=ApplicantType.choices)
    applicant_name = models.CharField(_("applicant"), max_length=100, db_index=True)
    id_type = models.CharField(_("ID type"), max_length=12, choices=IdType.choices)
    id_number = models.CharField(_("ID number"), max_length=30, db_index=True)
    contact_name = models.CharField(
        _("contact person"), max_length=50, blank=True, help_text=_("经办人 for a company.")
    )
    phone = models.CharField(_("phone"), max_length=20)
    address = models.CharField(_("address"), max_length=200, blank=True)
    applicant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("portal account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applications",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WINDOW)
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), db_index=True)
    received_at = models.DateTimeField(
        _("materials received at"),
        null=True,
        blank=True,
        help_text=_("When the window or the mail room received the materials; empty: when it was submitted."),
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    decision_reason = models.TextField(_("reasons of the decision"), blank=True)
    delivery_method = models.CharField(_("delivery"), max_length=10, choices=Delivery.choices, blank=True)
    waybill_no = models.CharField(_("EMS waybill number"), max_length=40, blank=True)
    locker_code = models.CharField(_("locker pickup code"), max_length=20, blank=True)
    locker_code_expires_at = models.DateTimeField(_("pickup code valid until"), null=True, blank=True)
    remarks = models.TextField(_("remarks"), blank=True)

    class Meta(Document.Meta):
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-submitted_at", "-id"]
        permissions = [
            ("view_id_number", _("Can see full ID numbers")),
            ("view_contact", _("Can see full phone numbers and addresses")),
        ]
        indexes = [
            models.Index(fields=["department", "status"], name="application_dept_status"),
            # the desk list's default order under its two commonest filters (status, department)
            models.Index(fields=["status", "submitted_at"], name="application_status_submitted"),
            models.Index(fields=["department", "submitted_at"], name="application_dept_submitted"),
            # sorting by department (with the id to break ties: MariaDB folds the key's own index into the one above)
            models.Index(fields=["department"], name="application_department"),
            # a department's own list sorted by matter (a matter belongs to one department, so the matter index
            # alone meets the department's rows only at its matters) and its API's default order
            models.Index(fields=["department", "matter"], name="application_dept_matter"),
            models.Index(fields=["department", "modified_at"], name="application_dept_modified"),
            models.Index(fields=["phone"], name="application_phone"),  # searched by its start
        ]

    def __str__(self) -> str:
        return self.number or str(_("new application"))

    @property
    def issues_licence(self) -> bool:
        return bool(self.matter.issues_licence)

    @property
    def has_licence(self) -> bool:
        return self.pk is not None and self.licences.filter(status="valid").exists()

    @property
    def handling_type(self) -> str:
        return self.matter.handling_type

    @property
    def joint_mode(self) -> str:
        return self.matter.joint_mode

    @property
    def online_level(self) -> int:
        return self.matter.online_level

    @property
    def online_clocks(self) -> list[str]:
        """The time limits an online application at its matter's level starts (the site's online ladder)."""
        from gov_services.gov_services.doctype.matter.ladder import online_clocks

        return online_clocks(self.matter.online_level)

    @property
    def locker_code_valid(self) -> bool:
        """The locker pickup code opens the locker now: one was generated and it has not expired."""
        expires = self.locker_code_expires_at
        return bool(self.locker_code) and expires is not None and expires > timezone.now()

    def clean(self) -> None:
        if self.id_type and self.id_number:
            validate_applicant_id(self.id_type, self.id_number)
        if self.applicant_type == self.ApplicantType.PERSON and self.id_type == IdType.USCC:
            raise ValidationError({"id_type": _("A natural person is identified by a personal document.")})
        if self.applicant_type == self.ApplicantType.COMPANY and self.id_type == IdType.RESIDENT_ID:
            raise ValidationError({"id_type": _("A company is identified by its unified social credit code.")})
        if self.guide_id and self.matter_id and self.guide.matter_id != self.matter_id:
            raise ValidationError({"guide": _("The guide version belongs to another matter.")})


class ApplicationMaterial(models.Model):
    """A submitted material: a file for one guide material, or a reused licence in its place (S004 art. 13)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        MISSING = "missing", _("Missing")
        DEFECTIVE = "defective", _("Defective")
        ACCEPTED = "accepted", _("Accepted")
        DEFERRED = "deferred", _("To be supplied later (容缺后补)")

    RECEIVED = frozenset({Status.SUBMITTED, Status.ACCEPTED})

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="materials"
    )
    guide_material = models.ForeignKey(
        "gov_services.GuideMaterial",
        verbose_name=_("guide material"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("material"), max_length=200)
    file = models.FileField(_("file"), upload_to="applications/%Y/%m/", blank=True, storage=private_storage)
    licence = models.ForeignKey(
        "gov_services.Licence",
        verbose_name=_("reused licence"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    due_date = models.DateField(
        _("due date"),
        null=True,
        blank=True,
        help_text=_("By when a material accepted as 容缺后补 is to be supplied (补交期限)."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True, help_text=_("What is missing or defective."))
    received_at = models.DateTimeField(
        _("received at"), null=True, blank=True, help_text=_("When this material was last received in full.")
    )
    return_original = models.BooleanField(
        _("original to return"),
        default=False,
        help_text=_("原件核验后退还: the original was only inspected; it is handed back with the result."),
    )

    class Meta:
        verbose_name = _("submitted material")
        verbose_name_plural = _("submitted materials")
        ordering = ["application", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~(models.Q(licence__isnull=False) & ~models.Q(file="")), name="material_file_or_licence"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="deferred") | models.Q(due_date__isnull=False),
                name="material_deferred_has_due_date",
                violation_error_message=_("A material to be supplied later (容缺后补) needs a due date."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def received(self) -> bool:
        """In hand: submitted or accepted, or replaced by a reused licence (S004 art. 13) not found defective."""
        if self.licence_id is not None:
            return self.status != self.Status.DEFECTIVE
        return self.status in self.RECEIVED

    @property
    def deferred(self) -> bool:
        """Owed under 容缺受理 (S003 art. 7): accepted without it, to be supplied by its due date."""
        return self.status == self.Status.DEFERRED and self.due_date is not None

    def clean(self) -> None:
        """Only what the guide publishes as 容缺后补 may be owed, and only with a date to supply it by."""
        if self.status != self.Status.DEFERRED:
            return
        errors: dict[str, ValidationError] = {}
        if not may_be_deferred(self.guide_material):
            errors["status"] = ValidationError(
                _(
                    "“%(material)s” may not be supplied later: the guide allows 容缺后补 only for the materials "
                    "it lists as such."
                ),
                code="not_deferrable",
                params={"material": self.name},
            )
        if self.due_date is None:
            errors["due_date"] = ValidationError(
                _("Give the date by which “%(material)s” is to be supplied."),
                code="due_date_required",
                params={"material": self.name},
            )
        if errors:
            raise ValidationError(errors)


def may_be_deferred(guide_material: GuideMaterial | None) -> bool:
    """容缺受理 (S003 art. 7) is an element of the published guide: the guide names which materials may be
    supplied after acceptance (necessity 容缺后补). A material the guide requires (必要) must be in hand, so a
    clerk cannot widen the guide's list at the window; an optional one is never owed."""
    return guide_material is not None and guide_material.necessity == GuideMaterial.Necessity.LATER
