from django.db import models
from django.utils.translation import gettext_lazy as _

from lowcode.core.models import Document


class Guide(Document):
    """办事指南: one version of a matter's service guide, with the 26 elements of S003 art. 7.

    The elements the matter itself carries (name, codes, type, implementer, service objects, time limits)
    are read from the matter; the rest live here. A draft is edited; publishing makes it the matter's
    current guide and archives the previous one. Published and archived versions are read-only.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    class Scope(models.TextChoices):
        NONE = "", _("Not universal")
        CITY = "city", _("Anywhere in the city")
        PROVINCE = "province", _("Anywhere in the province")
        NATION = "nation", _("Across provinces")

    matter = models.ForeignKey(
        "gov_services.Matter", verbose_name=_("matter"), on_delete=models.CASCADE, related_name="guides"
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    legal_basis = models.TextField(
        _("legal basis"), help_text=_("设定依据: the laws and regulations that establish the matter.")
    )
    acceptance_conditions = models.TextField(_("acceptance conditions"), help_text=_("受理条件"))
    result_name = models.CharField(_("result name"), max_length=200, help_text=_("结果名称, e.g. 食品经营许可证"))
    result_sample = models.FileField(_("result sample"), upload_to="guide/samples/", blank=True)
    charge_free = models.BooleanField(_("free of charge"), default=True)
    tolerance_acceptance = models.TextField(
        _("acceptance with deficiencies"),
        blank=True,
        help_text=_("容缺受理: which materials may be supplied later, and by when."),
    )
    process = models.TextField(_("handling process"), help_text=_("办理流程"))
    handling_forms = models.CharField(
        _("forms of handling"), max_length=200, help_text=_("办理形式, e.g. 窗口办理、网上办理、快递申请")
    )
    review_standard = models.TextField(_("review standard"), help_text=_("审查标准"))
    universal_scope = models.CharField(_("universal handling scope"), max_length=10, choices=Scope.choices, blank=True)
    appointment = models.BooleanField(_("appointment available"), default=False, help_text=_("预约办理"))
    online_payment = models.BooleanField(_("online payment"), default=False)
    express_delivery = models.BooleanField(_("express delivery"), default=False, help_text=_("物流快递"))
    location = models.CharField(_("place of handling"), max_length=300)
    office_hours = models.CharField(_("office hours"), max_length=200)
    consultation = models.CharField(_("consultation"), max_length=200, help_text=_("咨询方式: phone, address, web"))
    complaint_channel = models.CharField(_("supervision and complaints"), max_length=200, help_text=_("监督投诉方式"))

    class Meta(Document.Meta):
        verbose_name = _("service guide")
        verbose_name_plural = _("service guides")
        ordering = ["matter", "-version"]
        constraints = [models.UniqueConstraint(fields=["matter", "version"], name="guide_version_unique")]

    def __str__(self) -> str:
        return f"{self.matter} · v{self.version}"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class GuideMaterial(models.Model):
    """所需材料: one row of a guide's materials table."""

    class Form(models.TextChoices):
        ORIGINAL = "original", _("Original")
        COPY = "copy", _("Copy")
        ORIGINAL_AND_COPY = "both", _("Original and copy")

    class Medium(models.TextChoices):
        PAPER = "paper", _("Paper")
        ELECTRONIC = "electronic", _("Electronic")
        BOTH = "both", _("Paper and electronic")

    class Necessity(models.TextChoices):
        REQUIRED = "required", _("Required")
        OPTIONAL = "optional", _("Optional")
        LATER = "later", _("May be supplied later (容缺后补)")

    class Source(models.TextChoices):
        APPLICANT = "applicant", _("Prepared by the applicant")
        GOVERNMENT = "government", _("Issued by a government department")

    guide = models.ForeignKey(Guide, verbose_name=_("guide"), on_delete=models.CASCADE, related_name="materials")
    idx = models.PositiveIntegerField(_("order"), default=0)
    name = models.CharField(_("material name"), max_length=200)
    form = models.CharField(_("original or copy"), max_length=10, choices=Form.choices, default=Form.ORIGINAL)
    medium = models.CharField(_("paper or electronic"), max_length=12, choices=Medium.choices, default=Medium.BOTH)
    necessity = models.CharField(_("necessity"), max_length=10, choices=Necessity.choices, default=Necessity.REQUIRED)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices, default=Source.APPLICANT)
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)
    paper_size = models.CharField(_("paper size"), max_length=20, blank=True, default="A4")
    blank_form = models.FileField(_("blank form"), upload_to="guide/forms/", blank=True)
    sample = models.FileField(_("filled-in sample"), upload_to="guide/samples/", blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    notes = models.TextField(_("notes"), blank=True, help_text=_("填报须知"))
    licence_type = models.ForeignKey(
        "gov_services.LicenceType",
        verbose_name=_("replaceable by licence"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("A valid e-licence of this type replaces the material (免提交)."),
    )

    class Meta:
        verbose_name = _("guide material")
        verbose_name_plural = _("guide materials")
        ordering = ["guide", "idx", "id"]

    def __str__(self) -> str:
        return self.name


class GuideFee(models.Model):
    """收费项目: one fee of a guide."""

    guide = models.ForeignKey(Guide, verbose_name=_("guide"), on_delete=models.CASCADE, related_name="fees")
    idx = models.PositiveIntegerField(_("order"), default=0)
    item = models.CharField(_("fee item"), max_length=200)
    standard = models.CharField(_("charging standard"), max_length=300)
    basis = models.TextField(_("charging basis"))
    reducible = models.BooleanField(_("may be reduced or waived"), default=False)

    class Meta:
        verbose_name = _("guide fee")
        verbose_name_plural = _("guide fees")
        ordering = ["guide", "idx", "id"]

    def __str__(self) -> str:
        return self.item
