from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lowcode.core.files import private_storage
from lowcode.core.models import Document

NAMING_SERIES = "GD.YYYY.MM.DD.#####"


class WorkOrder(Document):
    """工单: a consultation, suggestion, complaint, request for help or report (S000 arts. 6-10)."""

    class Type(models.TextChoices):
        CONSULTATION = "consultation", _("Consultation")
        SUGGESTION = "suggestion", _("Suggestion")
        COMPLAINT = "complaint", _("Complaint")
        HELP = "help", _("Request for help")
        REPORT = "report", _("Report")

    class Source(models.TextChoices):
        HOTLINE = "hotline", _("Hotline")
        ONLINE = "online", _("Online")
        WINDOW = "window", _("Window")
        HOTLINE_12345 = "12345", _("Transferred from 12345")
        OTHER_PLATFORM = "platform", _("Transferred from another platform")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        TRANSFERRED = "transferred", _("Transferred to a unit")
        ACCEPTED = "accepted", _("Accepted by the unit")
        RETURNED = "returned", _("Returned by the unit")
        REPLIED = "replied", _("Replied")
        REOPENED = "reopened", _("Reopened")
        CLOSED = "closed", _("Closed")

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        UNSATISFIED = "unsatisfied", _("Unsatisfied")

    class Outcome(models.TextChoices):
        """What a unit's reply reports (S000 art. 8): done, with its result document, or not possible, with a
        written explanation."""

        COMPLETED = "completed", _("Completed")
        CANNOT_COMPLETE = "cannot_complete", _("Cannot be completed")

    number = models.CharField(_("work order number"), max_length=40, unique=True, editable=False)
    order_type = models.CharField(_("type"), max_length=14, choices=Type.choices)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    # NULL unless the order came from 12345: the unique index then holds the 12345 tickets only (MariaDB has no
    # partial unique index), and the controller keeps it so on every writer
    hotline_ticket_no = models.CharField(
        _("12345 ticket number"),
        max_length=40,
        null=True,
        blank=True,
        unique=True,
        help_text=_("The number the 12345 hotline gave the order; required when it came from 12345."),
    )
    subject = models.CharField(_("subject"), max_length=200)
    content = models.TextField(_("content"))
    applicant_name = models.CharField(_("applicant"), max_length=100)
    phone = models.CharField(_("phone"), max_length=20)
    id_number = models.CharField(_("ID number"), max_length=30, blank=True)
    applicant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("portal account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="work_orders",
    )
    matter = models.ForeignKey(
        "gov_services.Matter",
        verbose_name=_("matter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="work_orders",
    )
    application = models.ForeignKey(
        "gov_services.Application",
        verbose_name=_("related application"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="work_orders",
    )
    department = models.ForeignKey(
        "gov_services.Department",
        verbose_name=_("assigned department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_orders",
        help_text=_("The unit that handles the order — the lead unit when several departments are involved."),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NEW, db_index=True)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    transferred_at = models.DateTimeField(_("transferred at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for returning"), blank=True)
    return_basis = models.TextField(_("basis for returning"), blank=True)
    reply = models.TextField(_("reply"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    explanation = models.TextField(
        _("written explanation"),
        blank=True,
        help_text=_("Why the order cannot be completed (S000 art. 8); required with that outcome."),
    )
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    result_file = models.FileField(
        _("result document"), upload_to="work_orders/%Y/%m/", blank=True, storage=private_storage
    )
    revisited_at = models.DateTimeField(_("revisited at"), null=True, blank=True)
    satisfaction = models.CharField(_("satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True)
    revisit_note = models.TextField(_("revisit note"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta(Document.Meta):
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return self.number


class WorkOrderMessage(models.Model):
    """A follow-up on a work order: the applicant asking again, or the unit answering. Kept as written."""

    work_order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_applicant = models.BooleanField(_("from the applicant"), default=False)
    text = models.TextField(_("message"))
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("work order message")
        verbose_name_plural = _("work order messages")
        ordering = ["work_order", "at", "id"]

    def __str__(self) -> str:
        return f"{self.work_order}: {self.text[:30]}"


class WorkOrderCoUnit(models.Model):
    """A co-unit (协办单位) of an order involving several departments (S000 art. 7): it sees the order and helps;
    the order's department is the lead unit (牵头单位), which handles and answers it. Named by the hotline."""

    work_order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="co_departments"
    )
    department = models.ForeignKey(
        "gov_services.Department", verbose_name=_("co-unit"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("co-unit")
        verbose_name_plural = _("co-units")
        ordering = ["work_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["work_order", "department"], name="work_order_co_unit_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.work_order_id}·{self.department_id}"
