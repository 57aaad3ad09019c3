from django.db import models
from django.utils.translation import gettext_lazy as _

from gov_services.gov_services.codes import IdType
from gov_services.gov_services.identifiers import validate_licence_identifier
from lowcode.core.files import private_storage
from lowcode.core.models import Document


class LicenceType(Document):
    """证照类型: a kind of licence with its GB/T 36904 type code."""

    code = models.CharField(
        _("licence type code"), max_length=30, unique=True, help_text=_("证照类型代码 (capital letters and digits).")
    )
    name = models.CharField(_("name"), max_length=100)
    issuer = models.ForeignKey(
        "gov_services.Department",
        verbose_name=_("usual issuer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="licence_types",
    )
    validity_years = models.PositiveSmallIntegerField(
        _("validity in years"), null=True, blank=True, help_text=_("Empty for a long-term licence.")
    )

    class Meta(Document.Meta):
        verbose_name = _("licence type")
        verbose_name_plural = _("licence types")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Licence(Document):
    """电子证照, identified in the GB/T 36904 form."""

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")
        VOID = "void", _("Void")

    identifier = models.CharField(
        _("licence identifier"), max_length=120, unique=True, validators=[validate_licence_identifier], editable=False
    )
    licence_type = models.ForeignKey(
        LicenceType, verbose_name=_("licence type"), on_delete=models.PROTECT, related_name="licences"
    )
    name = models.CharField(_("licence name"), max_length=100)
    number = models.CharField(_("licence number"), max_length=60, help_text=_("证照编号 printed on the licence."))
    holder_name = models.CharField(_("holder"), max_length=100)
    holder_id_type = models.CharField(_("holder ID type"), max_length=12, choices=IdType.choices)
    holder_id_number = models.CharField(_("holder ID number"), max_length=30, db_index=True)
    issuer = models.ForeignKey(
        "gov_services.Department", verbose_name=_("issuer"), on_delete=models.PROTECT, related_name="licences"
    )
    issued_on = models.DateField(_("issue date"), db_index=True)  # the list's default order
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True, help_text=_("Empty means long-term."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.VALID, db_index=True)
    application = models.ForeignKey(
        "gov_services.Application",
        verbose_name=_("application"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="licences",
    )
    pdf = models.FileField(_("PDF"), upload_to="licences/", blank=True, storage=private_storage)

    class Meta(Document.Meta):
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["licence_type", "number"], name="licence_number_unique_per_type"),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="licence_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.number}"

    @property
    def is_long_term(self) -> bool:
        return self.valid_to is None
