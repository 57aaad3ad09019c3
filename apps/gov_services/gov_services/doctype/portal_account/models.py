from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gov_services.gov_services.codes import IdType
from lowcode.core.models import Document
from lowcode.webforms.models import RealNameLevel


class PortalAccount(Document):
    """A citizen's or a company's portal account: who they are, and how far their identity has been checked.

    The real-name level decides what the account may do (S004 art. 8): none — browse and save; basic — also
    make appointments; advanced — also apply online and receive licences. Only a clerk raises it, after
    checking identity, and every change is kept as a RealNameCheck."""

    class AccountType(models.TextChoices):
        PERSON = "person", _("Natural person")
        COMPANY = "company", _("Legal person or organisation")

    Level = RealNameLevel

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="portal_account"
    )
    account_type = models.CharField(_("account type"), max_length=10, choices=AccountType.choices)
    name = models.CharField(_("name"), max_length=100, help_text=_("The person's name or the company's name."))
    id_type = models.CharField(_("ID type"), max_length=12, choices=IdType.choices)
    id_number = models.CharField(_("ID number"), max_length=30, unique=True)
    contact_name = models.CharField(
        _("contact person"), max_length=50, blank=True, help_text=_("经办人 for a company.")
    )
    phone = models.CharField(_("phone"), max_length=20)
    address = models.CharField(_("address"), max_length=200, blank=True)
    realname_level = models.PositiveSmallIntegerField(
        _("real-name level"), choices=RealNameLevel.choices, default=RealNameLevel.NONE, editable=False
    )

    class Meta(Document.Meta):
        verbose_name = _("portal account")
        verbose_name_plural = _("portal accounts")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.name


class RealNameCheck(models.Model):
    """One change of an account's real-name level by a clerk: who checked what, and when. Never changed."""

    account = models.ForeignKey(
        PortalAccount, verbose_name=_("portal account"), on_delete=models.CASCADE, related_name="checks"
    )
    from_level = models.PositiveSmallIntegerField(_("from level"), choices=RealNameLevel.choices)
    to_level = models.PositiveSmallIntegerField(_("to level"), choices=RealNameLevel.choices)
    method = models.CharField(_("how identity was checked"), max_length=200)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("checked by"), on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked at"))

    class Meta:
        verbose_name = _("real-name check")
        verbose_name_plural = _("real-name checks")
        ordering = ["account", "-checked_at"]

    def __str__(self) -> str:
        return f"{self.account}: {self.get_from_level_display()} → {self.get_to_level_display()}"
