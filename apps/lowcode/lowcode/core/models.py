from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Role(Group):
    """A role (Frappe's Role) is a Django group with bilingual labels and desk access.

    The group's name is the role's stable key (English, e.g. "Window Clerk"); labels are what people see.
    """

    label_zh = models.CharField(_("label (Chinese)"), max_length=100)
    label_en = models.CharField(_("label (English)"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    desk_access = models.BooleanField(
        _("desk access"), default=True, help_text=_("Users with this role may sign in to the desk.")
    )
    is_standard = models.BooleanField(
        _("standard"), default=False, editable=False, help_text=_("Shipped as a fixture by an app.")
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if (get_language() or "").startswith("zh"):
            return self.label_zh or self.name
        return self.label_en or self.name


class ScheduledJobLog(models.Model):
    """One run of a scheduler_events method, written by the worker that ran it."""

    class Status(models.TextChoices):
        STARTED = "started", _("Started")
        COMPLETE = "complete", _("Complete")
        FAILED = "failed", _("Failed")

    method = models.CharField(_("method"), max_length=255, db_index=True)
    event = models.CharField(
        _("event"), max_length=100, help_text=_("The scheduler_events key: all, daily, a cron string …")
    )
    job_id = models.CharField(_("job ID"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.STARTED)
    started_at = models.DateTimeField(_("started at"), db_index=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("scheduled job log")
        verbose_name_plural = _("scheduled job logs")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.method} @ {self.started_at:%Y-%m-%d %H:%M}"


class NamingSeries(models.Model):
    """The current counter of one naming-series prefix (e.g. "BJ20261123")."""

    name = models.CharField(_("prefix"), max_length=100, unique=True)
    current = models.PositiveBigIntegerField(_("current value"), default=0)

    class Meta:
        verbose_name = _("naming series")
        verbose_name_plural = _("naming series")

    def __str__(self) -> str:
        return f"{self.name}: {self.current}"


class Document(models.Model):
    """Fields every DocType carries, as in Frappe: who made it and when, who changed it last and when."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    modified_at = models.DateTimeField(_("modified at"), auto_now=True, db_index=True)  # the API's default order
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("modified by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    custom = models.JSONField(
        _("custom fields"), default=dict, blank=True, editable=False, help_text=_("Values of the custom fields.")
    )

    class Meta:
        abstract = True
        # Frappe's permission types beyond Django's four: export, import and print are rights of their own.
        default_permissions = ("add", "change", "delete", "view", "export", "import", "print")


class SiteFlag(models.Model):
    """A fact about the site that is set once (e.g. "demo data loaded"), so one-off set-up stays idempotent."""

    key = models.CharField(_("key"), max_length=100, unique=True)
    value = models.CharField(_("value"), max_length=255, blank=True)
    set_at = models.DateTimeField(_("set at"), auto_now=True)

    class Meta:
        verbose_name = _("site flag")
        verbose_name_plural = _("site flags")

    def __str__(self) -> str:
        return self.key


class NotificationLog(models.Model):
    """A message to one desk user (Frappe's Notification Log): shown in the desk, marked read there."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notifications"
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    doctype = models.CharField(_("DocType"), max_length=100, blank=True)
    doc_id = models.CharField(_("document ID"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), db_index=True)
    read = models.BooleanField(_("read"), default=False)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read"], name="notification_user_read")]

    def __str__(self) -> str:
        return self.subject


class Version(models.Model):
    """Frappe's Version: who changed which fields of a record (custom ones included), from what to what."""

    doctype = models.CharField(_("DocType"), max_length=100)
    doc_id = models.CharField(_("document"), max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"))
    changed = models.JSONField(_("changes"), default=list, help_text=_("[field, label, old, new] per field."))

    class Meta:
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["doctype", "doc_id", "at"], name="version_doc")]

    def __str__(self) -> str:
        return f"{self.doctype} {self.doc_id} {self.at:%Y-%m-%d %H:%M}"


class LoginEvent(models.Model):
    """One sign-in attempt on any login (desk, portal, API): the login audit (lowcode.core.throttle)."""

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("Signed in")
        FAILURE = "failure", _("Wrong user name or password")
        LOCKED = "locked", _("Refused: locked after too many failures")

    at = models.DateTimeField(_("at"), db_index=True)
    username = models.CharField(_("user name given"), max_length=150, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    address = models.CharField(_("client address"), max_length=64)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    path = models.CharField(_("login"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("login event")
        verbose_name_plural = _("login events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["username", "at"], name="login_event_user")]

    def __str__(self) -> str:
        return f"{self.username} {self.get_outcome_display()} {self.at:%Y-%m-%d %H:%M}"


class SearchToken(models.Model):
    """One character or pair of characters of a record's indexed name fields (lowcode.core.search)."""

    doctype = models.CharField(_("DocType"), max_length=100)
    token = models.CharField(_("token"), max_length=8)
    doc_id = models.BigIntegerField(_("document ID"))

    class Meta:
        verbose_name = _("search token")
        verbose_name_plural = _("search tokens")
        indexes = [
            models.Index(fields=["doctype", "token", "doc_id"], name="search_token"),
            models.Index(fields=["doctype", "doc_id"], name="search_token_doc"),
        ]

    def __str__(self) -> str:
        return f"{self.doctype} {self.doc_id}: {self.token}"
