from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gov_services.gov_services.identifiers import validate_uscc
from lowcode.core.models import Document


class Department(Document):
    """成员单位: a member department of the service centre (or the centre itself)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    uscc = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_uscc],
        help_text=_("统一社会信用代码, 18 characters; the check character is verified."),
    )
    region_code = models.CharField(
        _("region code"), max_length=12, help_text=_("行政区划代码, 6 or 12 digits (GB/T 2260).")
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    resident_in_hall = models.BooleanField(_("resident in the hall"), default=True)
    liaisons = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("liaisons"), blank=True, related_name="liaison_departments"
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta(Document.Meta):
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
