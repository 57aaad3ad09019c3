from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gov_services.gov_services.codes import DeliveryMethod
from lowcode.core.models import Document

NAMING_SERIES = "JJ.YYYY.MM.DD.#####"


class Handover(Document):
    """交接: materials window → department, results department → issuing window, or delivery to the applicant."""

    class Kind(models.TextChoices):
        MATERIALS = "materials", _("Materials to the department")
        RESULTS = "results", _("Results to the issuing window")
        DELIVERY = "delivery", _("Delivery to the applicant")

    class Status(models.TextChoices):
        CREATED = "created", _("Created")
        SENT = "sent", _("Sent")
        SIGNED = "signed", _("Signed for")
        REJECTED = "rejected", _("Rejected")

    Delivery = DeliveryMethod

    number = models.CharField(_("handover number"), max_length=40, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    department = models.ForeignKey(
        "gov_services.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="handovers"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CREATED, db_index=True)
    received_at = models.DateTimeField(
        _("materials received at"),
        null=True,
        blank=True,
        help_text=_(
            "When the window received the materials handed over (the earliest of them); the cut-off runs from it."
        ),
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reject_reason = models.TextField(_("reason for rejecting"), blank=True)
    delivery_method = models.CharField(_("delivery"), max_length=10, choices=Delivery.choices, blank=True)
    waybill_no = models.CharField(_("EMS waybill number"), max_length=40, blank=True)
    locker_code = models.CharField(_("locker pickup code"), max_length=20, blank=True)
    recipient_name = models.CharField(_("received by"), max_length=100, blank=True)

    class Meta(Document.Meta):
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number


class HandoverItem(models.Model):
    """One application in a handover; for results, the licence it is verified against."""

    handover = models.ForeignKey(Handover, verbose_name=_("handover"), on_delete=models.CASCADE, related_name="items")
    application = models.ForeignKey(
        "gov_services.Application",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="handover_items",
    )
    licence = models.ForeignKey(
        "gov_services.Licence",
        verbose_name=_("licence"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    pieces = models.PositiveSmallIntegerField(_("pieces"), default=1)
    verified = models.BooleanField(_("verified against the licence"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("handover item")
        verbose_name_plural = _("handover items")
        ordering = ["handover", "id"]
        constraints = [models.UniqueConstraint(fields=["handover", "application"], name="handover_item_unique")]

    def __str__(self) -> str:
        return str(self.application)
