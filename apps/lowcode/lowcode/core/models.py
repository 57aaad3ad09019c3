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
