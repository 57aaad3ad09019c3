from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lowcode.core.models import Document


class Staff(Document):
    """A desk user's place in the organisation: the department whose records they work on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="staff"
    )
    department = models.ForeignKey(
        "gov_services.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        help_text=_("Department roles see and edit only this department's records."),
    )
    title = models.CharField(_("job title"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    window_no = models.CharField(_("window number"), max_length=20, blank=True)

    class Meta(Document.Meta):
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["user__username"]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()
