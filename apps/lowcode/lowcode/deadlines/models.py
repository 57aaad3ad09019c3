"""Working calendars: weekly working windows, holidays and make-up working days, edited as data."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from lowcode.core.models import Document

DEFAULT_WINDOWS = [["09:00", "12:00"], ["13:30", "17:30"]]


def validate_windows(value: object) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(_('Give at least one working window, e.g. [["09:00", "12:00"]].'))
    previous = "00:00"
    for window in value:
        ok = (
            isinstance(window, list | tuple)
            and len(window) == 2
            and all(isinstance(t, str) and len(t) == 5 and t[2] == ":" and t.replace(":", "").isdigit() for t in window)
        )
        if not ok or not (previous <= window[0] < window[1] <= "24:00"):
            raise ValidationError(_("Working windows are “HH:MM” pairs, in order and not overlapping."))
        previous = window[1]


class WorkingCalendar(Document):
    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=50, default="Asia/Shanghai")
    weekdays = models.JSONField(
        _("working weekdays"), default=list, help_text=_("0 = Monday … 6 = Sunday; usually [0, 1, 2, 3, 4].")
    )
    windows = models.JSONField(_("working windows"), default=list, validators=[validate_windows])
    is_default = models.BooleanField(_("default"), default=False)

    class Meta(Document.Meta):
        verbose_name = _("working calendar")
        verbose_name_plural = _("working calendars")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CalendarDay(models.Model):
    """A date that departs from the weekly pattern: a public holiday, or a make-up working day (调休)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday")
        WORKDAY = "workday", _("Make-up working day")

    calendar = models.ForeignKey(
        WorkingCalendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="days"
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["calendar", "date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="calendar_day_unique")]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"
