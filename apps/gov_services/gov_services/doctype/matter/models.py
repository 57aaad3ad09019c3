from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gov_services.gov_services.codes import (
    ExerciseLevel,
    HandlingType,
    ImplementerNature,
    JointMode,
    LimitUnit,
    MatterType,
    OnlineDepth,
    OnlineLevel,
    ServiceObject,
    ThemeWindow,
)
from lowcode.core.models import Document


def _validate_codes(values: object, choices: type[models.TextChoices], label: str) -> None:
    if not isinstance(values, list) or not values:
        raise ValidationError(_("Choose at least one %(label)s.") % {"label": label})
    unknown = [v for v in values if v not in choices.values]
    if unknown:
        raise ValidationError(
            _("Unknown %(label)s: %(codes)s") % {"label": label, "codes": ", ".join(map(str, unknown))}
        )


def validate_service_objects(values: object) -> None:
    _validate_codes(values, ServiceObject, str(_("service object")))


def validate_online_depth(values: object) -> None:
    if values:
        _validate_codes(values, OnlineDepth, str(_("online depth")))


class Matter(Document):
    """政务服务事项, with the GB/T 39046-2020 basic data."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        SUSPENDED = "suspended", _("Suspended")
        ABOLISHED = "abolished", _("Abolished")

    name = models.CharField(_("matter name"), max_length=200)
    basic_code = models.CharField(
        _("basic code"), max_length=12, db_index=True, help_text=_("基本编码, up to 12 characters.")
    )
    implementation_code = models.CharField(
        _("implementation code"), max_length=36, unique=True, help_text=_("实施编码, up to 36 characters.")
    )
    handling_item_code = models.CharField(
        _("handling item code"), max_length=50, blank=True, help_text=_("业务办理项编码, up to 50 characters.")
    )
    matter_type = models.CharField(_("matter type"), max_length=2, choices=MatterType.choices)
    exercise_level = models.CharField(_("exercise level"), max_length=1, choices=ExerciseLevel.choices)
    department = models.ForeignKey(
        "gov_services.Department",
        verbose_name=_("implementing department"),
        on_delete=models.PROTECT,
        related_name="matters",
    )
    implementer_nature = models.CharField(
        _("nature of the implementer"),
        max_length=1,
        choices=ImplementerNature.choices,
        default=ImplementerNature.STATUTORY,
    )
    service_objects = models.JSONField(
        _("service objects"),
        default=list,
        validators=[validate_service_objects],
        help_text=_("服务对象 codes of GB/T 39046 A.4, one or more."),
    )
    handling_type = models.CharField(_("handling type"), max_length=10, choices=HandlingType.choices)
    online_level = models.PositiveSmallIntegerField(_("online level"), choices=OnlineLevel.choices, default=1)
    online_depth = models.JSONField(
        _("online handling depth"), default=list, blank=True, validators=[validate_online_depth]
    )
    theme_window = models.CharField(_("theme window"), max_length=20, choices=ThemeWindow.choices)
    legal_limit = models.PositiveIntegerField(_("statutory time limit"))
    legal_limit_unit = models.CharField(
        _("unit of the statutory limit"), max_length=16, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAYS
    )
    promised_limit = models.PositiveIntegerField(_("promised time limit"))
    promised_limit_unit = models.CharField(
        _("unit of the promised limit"), max_length=16, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAYS
    )
    joint_mode = models.CharField(_("joint handling"), max_length=10, choices=JointMode.choices, blank=True, default="")
    co_departments = models.ManyToManyField(
        "gov_services.Department",
        verbose_name=_("co-departments"),
        blank=True,
        related_name="co_matters",
        through="gov_services.MatterCoDepartment",
    )
    issues_licence = models.BooleanField(_("issues a licence"), default=False)
    licence_type = models.ForeignKey(
        "gov_services.LicenceType",
        verbose_name=_("licence type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="matters",
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    published_guide = models.OneToOneField(
        "gov_services.Guide",
        verbose_name=_("current guide"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta(Document.Meta):
        verbose_name = _("matter")
        verbose_name_plural = _("matters")
        ordering = ["implementation_code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(promised_limit__gt=0) & models.Q(legal_limit__gt=0), name="matter_limits_positive"
            ),
        ]
        # the portal's guide list: the published matters of a theme window in the order it shows them
        indexes = [models.Index(fields=["status", "theme_window", "name"], name="matter_status_theme_name")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.issues_licence and not self.licence_type_id:
            errors["licence_type"] = _("A matter that issues a licence names the licence type.")
        if self.handling_type == HandlingType.JOINT and not self.joint_mode:
            errors["joint_mode"] = _("A joint-handling matter is handled either in series or in parallel.")
        if (
            self.legal_limit
            and self.promised_limit
            and self.legal_limit_unit == self.promised_limit_unit
            and self.promised_limit > self.legal_limit
        ):
            errors["promised_limit"] = _("The promised time limit cannot exceed the statutory one.")
        if errors:
            raise ValidationError(errors)


class MatterCoDepartment(models.Model):
    """A co-department of a joint-handling matter (联办件), in the order a serial review (前后置) passes the file,
    with the working days it has for its opinion (S001 三(四)1(2): 各部门应分别在规定时间内完成)."""

    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.CASCADE, related_name="co_steps")
    department = models.ForeignKey(
        "gov_services.Department", verbose_name=_("co-department"), on_delete=models.CASCADE, related_name="+"
    )
    idx = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("In a serial review the file passes in this order; parallel: all at once.")
    )
    review_days = models.PositiveSmallIntegerField(
        _("working days for its opinion"), default=5, validators=[MinValueValidator(1)]
    )

    class Meta:
        db_table = "gov_services_matter_co_departments"  # the table the plain many-to-many had, rows kept
        verbose_name = _("co-department")
        verbose_name_plural = _("co-departments")
        ordering = ["matter", "idx", "id"]
        unique_together = [("matter", "department")]

    def __str__(self) -> str:
        return f"{self.matter_id}·{self.department_id}"


def _validate_policy_names(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ValidationError(_("A list of deadline policy names."))


class OnlineLevelRule(Document):
    """One rung of the online-level ladder (网上办理层级, S000 arts. 9, 12), as data: whether a matter at this
    level is applied for online, which time limits an online application at it starts, and whether moving a
    matter off it to a higher-numbered level needs approval, and whose. Shipped as S000 describes it: levels 1
    and 2 are submitted online, signed for within 4 working hours and answered in writing within 1 working day
    (art. 9(1)); moving them to 2 or 3 needs the approval of the reform lead department and the service
    administration (art. 12)."""

    level = models.PositiveSmallIntegerField(_("level"), unique=True, validators=[MinValueValidator(1)])
    label_zh = models.CharField(_("label (Chinese)"), max_length=50)
    label_en = models.CharField(_("label (English)"), max_length=50, blank=True)
    description = models.TextField(_("description"), blank=True)
    accepts_online = models.BooleanField(
        _("applied for online"), default=True, help_text=_("The portal offers the online application.")
    )
    clocks = models.JSONField(
        _("time limits it starts"),
        default=list,
        blank=True,
        validators=[_validate_policy_names],
        help_text=_(
            "Deadline policies of an online application that apply at this level (their conditions read "
            "doc.online_clocks), e.g. application_sign_for."
        ),
    )
    raise_needs_approval = models.BooleanField(
        _("moving up needs approval"),
        default=False,
        help_text=_("Moving a matter from this level to a higher-numbered one needs an approved online level change."),
    )
    approval_by = models.CharField(
        _("approved by"),
        max_length=200,
        blank=True,
        help_text=_("Whose approval the change needs, as the regulation names them (recorded by document number)."),
    )
    approver_role = models.CharField(
        _("role that records the approval"), max_length=100, blank=True, help_text=_("e.g. Supervisor")
    )

    class Meta(Document.Meta):
        verbose_name = _("online level")
        verbose_name_plural = _("online levels")
        ordering = ["level"]

    def __str__(self) -> str:
        return self.label_zh or str(self.level)


class OnlineLevelChange(Document):
    """A request to raise a matter's online level from 1/2 to 2/3, which needs approval (S000 art. 12)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.CASCADE, related_name="level_changes")
    from_level = models.PositiveSmallIntegerField(_("from level"), choices=OnlineLevel.choices)
    to_level = models.PositiveSmallIntegerField(_("to level"), choices=OnlineLevel.choices)
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    approval_document = models.CharField(
        _("approval document number"),
        max_length=100,
        blank=True,
        help_text=_("The approval of the reform lead department and the service administration (批准文号)."),
    )

    class Meta(Document.Meta):
        verbose_name = _("online level change")
        verbose_name_plural = _("online level changes")
        ordering = ["-created_at"]
        permissions = [("approve_onlinelevelchange", _("Can approve online level changes"))]

    def __str__(self) -> str:
        return f"{self.matter}: {self.from_level} → {self.to_level}"
