"""Working calendars: weekly working windows, holidays and make-up working days, edited as data."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from lowcode.core.models import Document
from lowcode.core.problems import Problem, by_field

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


def _validate_names(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ValidationError(_('A list of names, e.g. ["accepted", "under_review"].'))


class DeadlinePolicy(Document):
    """One time limit of a DocType's workflow: when its clock starts, pauses and stops, how long it runs, and
    what happens when its light turns yellow and red."""

    class Rule(models.TextChoices):
        WORKING_HOURS = "working_hours", _("working hours")
        WORKING_DAYS = "working_days", _("working days")
        CALENDAR_DAYS = "calendar_days", _("calendar days")
        HANDOVER_CUTOFF = "handover_cutoff", _("handover cut-off (12:00 → 14:00, else 09:30 next working day)")
        END_OF_DAY = "end_of_day", _("the close of the working day (the next one's when started after it)")
        DOCUMENT_LIMIT = "document_limit", _("the limit on the document (e.g. the matter's promised limit)")

    FIXED_INSTANT = (Rule.HANDOVER_CUTOFF, Rule.END_OF_DAY)  # rules with no amount

    class YellowMode(models.TextChoices):
        FRACTION = "fraction", _("fraction of the limit left")
        HOURS = "hours", _("working hours left")

    name = models.CharField(_("name"), max_length=100, unique=True)
    label_zh = models.CharField(_("label (Chinese)"), max_length=100)
    label_en = models.CharField(_("label (English)"), max_length=100, blank=True)
    doctype = models.CharField(_("DocType"), max_length=100, db_index=True)
    condition = models.TextField(
        _("condition"), blank=True, help_text=_("Sandboxed expression on doc; empty: every document.")
    )
    start_states = models.JSONField(
        _("starts on entering states"), default=list, blank=True, validators=[_validate_names]
    )
    start_actions = models.JSONField(
        _("starts on workflow actions"), default=list, blank=True, validators=[_validate_names]
    )
    stop_states = models.JSONField(_("stops at states"), default=list, blank=True, validators=[_validate_names])
    pause_states = models.JSONField(_("pauses at states"), default=list, blank=True, validators=[_validate_names])
    rule = models.CharField(_("limit"), max_length=20, choices=Rule.choices, default=Rule.WORKING_DAYS)
    amount = models.DecimalField(_("amount"), max_digits=8, decimal_places=2, default=0)
    limit_amount_field = models.CharField(
        _("limit amount field"), max_length=100, blank=True, help_text=_("e.g. matter.promised_limit")
    )
    limit_unit_field = models.CharField(
        _("limit unit field"), max_length=100, blank=True, help_text=_("e.g. matter.promised_limit_unit")
    )
    or_document_limit = models.BooleanField(
        _("or the document's limit, when it ends sooner"),
        default=False,
        help_text=_("e.g. 3 working days, or the promised limit when that is shorter (uses the limit fields)"),
    )
    start_field = models.CharField(
        _("starts from the instant in field"),
        max_length=100,
        blank=True,
        help_text=_(
            "e.g. received_at: the clock runs from when the document says the thing happened; empty: from when "
            "the state is entered or the action taken"
        ),
    )
    calendar = models.ForeignKey(
        WorkingCalendar,
        verbose_name=_("calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Empty: the default calendar."),
    )
    yellow_mode = models.CharField(
        _("yellow light when"), max_length=10, choices=YellowMode.choices, default=YellowMode.FRACTION
    )
    yellow_value = models.DecimalField(
        _("yellow threshold"), max_digits=8, decimal_places=3, default=0.2, help_text=_("0.2 = 20 % of the limit left")
    )
    department_field = models.CharField(
        _("department field"), max_length=100, blank=True, help_text=_("Who answers for the deadline, e.g. department")
    )
    on_yellow = models.JSONField(_("actions on yellow"), default=list, blank=True)
    on_red = models.JSONField(_("actions on red"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    fixture_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta(Document.Meta):
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")
        ordering = ["doctype", "name"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        from django.utils.translation import get_language

        if not (get_language() or "").startswith("zh") and self.label_en:
            return self.label_en
        return self.label_zh or self.name

    def clean(self) -> None:
        problems = self.problems()
        if problems:
            raise ValidationError(by_field(problems))

    def problems(self) -> list[Problem]:
        """Every reason the policy cannot run, each with the ID of its rule: refused when it is saved, and
        reported by `manage.py check` for a stored policy whose workflow changed since."""
        from lowcode.deadlines.actions import action_problems

        problems = []
        if not self.start_states and not self.start_actions:
            problems.append(
                Problem(
                    "lowcode_deadlines.E001",
                    _("Say in which states or on which actions the clock starts."),
                    field="start_states",
                )
            )
        if self.rule == self.Rule.DOCUMENT_LIMIT or self.or_document_limit:
            if not self.limit_amount_field or not self.limit_unit_field:
                problems.append(
                    Problem(
                        "lowcode_deadlines.E002",
                        _("Name the document's limit amount and unit fields."),
                        field="limit_amount_field",
                    )
                )
        if self.rule not in (self.Rule.DOCUMENT_LIMIT, *self.FIXED_INSTANT) and (self.amount or 0) <= 0:
            problems.append(Problem("lowcode_deadlines.E003", _("The amount must be greater than 0."), field="amount"))
        if self.yellow_mode == self.YellowMode.FRACTION and not (0 <= (self.yellow_value or 0) < 1):
            problems.append(
                Problem("lowcode_deadlines.E004", _("A fraction between 0 and 1, e.g. 0.2."), field="yellow_value")
            )
        if self.condition:
            from lowcode.workflow.expressions import ExpressionError, compile_expression

            try:
                compile_expression(self.condition)
            except ExpressionError as exc:
                problems.append(Problem("lowcode_deadlines.E005", str(exc), field="condition"))
        for name in ("on_yellow", "on_red"):
            problems += action_problems(getattr(self, name), name)
        supervising = [
            a
            for name in ("on_yellow", "on_red")
            if isinstance(getattr(self, name), list)
            for a in getattr(self, name)
            if isinstance(a, dict) and a.get("type") == "supervise"
        ]
        if len(supervising) > 1:
            problems.append(
                Problem(
                    "lowcode_deadlines.E014",
                    _("A deadline opens one supervision notice: name “supervise” once, on yellow or on red."),
                    field="on_red",
                )
            )
        return problems + self._check_against_workflow()

    def _check_start_field(self, model: type[models.Model]) -> list[Problem]:
        """The start field is a date-time field of the DocType (a clock cannot start from anything else)."""
        if not self.start_field:
            return []
        try:
            field = model._meta.get_field(self.start_field)
        except FieldDoesNotExist:
            field = None
        if isinstance(field, models.DateTimeField):
            return []
        return [
            Problem(
                "lowcode_deadlines.E015",
                _("“%(field)s” is not a date and time field of %(doctype)s.")
                % {"field": self.start_field, "doctype": self.doctype},
                field="start_field",
            )
        ]

    def _check_against_workflow(self) -> list[Problem]:
        """The DocType exists, and the states and actions named — for the clock and for the yellow and red
        actions — are those of its workflow."""
        from lowcode.core import registry
        from lowcode.workflow.models import Workflow

        try:
            doctype = registry.get(self.doctype)
        except registry.UnknownDocType:
            return [
                Problem(
                    "lowcode_deadlines.E006",
                    _("No DocType is called “%(name)s”.") % {"name": self.doctype},
                    field="doctype",
                )
            ]
        start_problems = self._check_start_field(doctype.model)
        workflow = Workflow.objects.filter(doctype=self.doctype, is_active=True).first()
        if workflow is None:
            return [
                Problem(
                    "lowcode_deadlines.E007",
                    _("“%(name)s” has no active workflow to follow.") % {"name": self.doctype},
                    hint=_("Activate the DocType's workflow, or deactivate this policy."),
                    field="doctype",
                )
            ]
        states = set(workflow.states.values_list("name", flat=True))
        actions = set(workflow.transitions.values_list("action", flat=True))
        problems = start_problems
        for field in ("start_states", "stop_states", "pause_states"):
            unknown = [s for s in getattr(self, field) or [] if s not in states]
            if unknown:
                problems.append(
                    Problem(
                        "lowcode_deadlines.E008",
                        _("Not states of the workflow: %(names)s") % {"names": "、".join(unknown)},
                        hint=_("The workflow “%(workflow)s” has no such state.") % {"workflow": workflow.name},
                        field=field,
                    )
                )
        unknown = [a for a in self.start_actions or [] if a not in actions]
        if unknown:
            problems.append(
                Problem(
                    "lowcode_deadlines.E009",
                    _("Not actions of the workflow: %(names)s") % {"names": "、".join(unknown)},
                    hint=_("The workflow “%(workflow)s” has no such action.") % {"workflow": workflow.name},
                    field="start_actions",
                )
            )
        for field in ("on_yellow", "on_red"):
            taken = getattr(self, field) if isinstance(getattr(self, field), list) else []
            named = [a.get("action") for a in taken if isinstance(a, dict) and a.get("type") == "transition"]
            unknown = [a for a in named if a and a not in actions]
            if unknown:
                problems.append(
                    Problem(
                        "lowcode_deadlines.E013",
                        _("The workflow has no action %(names)s to take.") % {"names": "、".join(map(str, unknown))},
                        hint=_("The workflow “%(workflow)s” has no such action: name one of its actions.")
                        % {"workflow": workflow.name},
                        field=field,
                    )
                )
        return problems


class Deadline(models.Model):
    """A running clock of one policy on one document: the rows the minute sweep looks at."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        PAUSED = "paused", _("Paused")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class Light(models.IntegerChoices):
        GREEN = 0, _("Green")
        YELLOW = 1, _("Yellow")
        RED = 2, _("Red")

    policy = models.ForeignKey(DeadlinePolicy, verbose_name=_("policy"), on_delete=models.PROTECT)
    calendar = models.ForeignKey(WorkingCalendar, verbose_name=_("calendar"), on_delete=models.PROTECT)
    doctype = models.CharField(_("DocType"), max_length=100)
    doc_id = models.BigIntegerField(_("document ID"))
    doc_title = models.CharField(_("document"), max_length=140, blank=True)
    department_key = models.CharField(_("department key"), max_length=64, blank=True)
    department = models.CharField(_("department"), max_length=140, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    light = models.PositiveSmallIntegerField(_("light"), choices=Light.choices, default=Light.GREEN)
    started_at = models.DateTimeField(_("started at"))
    due_at = models.DateTimeField(_("due at"), db_index=True)  # the list's default order
    yellow_at = models.DateTimeField(_("yellow at"))
    next_check_at = models.DateTimeField(_("next check"), null=True, blank=True)
    total = models.DurationField(_("limit (working time)"))
    wall_clock = models.BooleanField(
        _("counted in calendar time"), default=False, help_text=_("Calendar-day limits run through nights too.")
    )
    remaining = models.DurationField(_("time left when paused"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    resumed_at = models.DateTimeField(_("resumed at"), null=True, blank=True)
    paused_total = models.DurationField(_("time paused"), default=timedelta(0))
    lit_at = models.DateTimeField(_("light changed at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ["due_at"]
        default_permissions = ("add", "change", "delete", "view", "export")
        indexes = [
            # The sweep reads only rows whose next light change is due: (status, next_check_at).
            models.Index(fields=["status", "next_check_at"], name="deadline_sweep"),
            models.Index(fields=["doctype", "doc_id", "status"], name="deadline_doc"),
            models.Index(fields=["doctype", "status", "light", "due_at"], name="deadline_light"),
            models.Index(fields=["department_key", "light", "status"], name="deadline_department"),
        ]

    def __str__(self) -> str:
        return f"{self.policy} · {self.doc_title or self.doc_id}"


class SupervisionNotice(Document):
    """督办通知: opened once when a deadline turns red; the department answers within its own limit."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")

    number = models.CharField(_("number"), max_length=40, unique=True)
    deadline = models.OneToOneField(
        Deadline, verbose_name=_("deadline"), on_delete=models.PROTECT, related_name="supervision_notice"
    )
    doctype = models.CharField(_("DocType"), max_length=100)
    doc_id = models.BigIntegerField(_("document ID"))
    doc_title = models.CharField(_("document"), max_length=140, blank=True)
    department_key = models.CharField(_("department key"), max_length=64, blank=True, db_index=True)
    department = models.CharField(_("department"), max_length=140, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    issued_at = models.DateTimeField(_("issued at"), db_index=True)  # the list's default order
    due_at = models.DateTimeField(_("answer due"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta(Document.Meta):
        verbose_name = _("supervision notice")
        verbose_name_plural = _("supervision notices")
        ordering = ["-issued_at"]
        indexes = [models.Index(fields=["status", "due_at"], name="supervision_open")]

    def __str__(self) -> str:
        return self.number


class DeadlineRecompute(models.Model):
    """A background recomputation of the open deadlines on a calendar after it changed, with its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        COMPLETE = "complete", _("Complete")
        FAILED = "failed", _("Failed")

    calendar = models.ForeignKey(
        WorkingCalendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="recomputes"
    )
    requested_at = models.DateTimeField(_("requested at"))
    requested_by = models.CharField(_("requested by"), max_length=150, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(_("deadlines to recompute"), default=0)
    done = models.PositiveIntegerField(_("recomputed"), default=0)
    changed = models.PositiveIntegerField(_("due instant changed"), default=0)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("deadline recomputation")
        verbose_name_plural = _("deadline recomputations")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.calendar} {self.requested_at:%Y-%m-%d %H:%M}"

    @property
    def progress(self) -> int:
        """Percent done."""
        return 100 if not self.total else round(100 * self.done / self.total)


class DeadlineActionFailure(models.Model):
    """A yellow or red action of a deadline's policy that failed when the sweep ran it (e.g. the automatic
    "deemed accepted" refused by the workflow): logged, kept here, and shown to the supervisor — the light is
    set regardless, so one failing document never holds up the escalation of the others."""

    deadline = models.ForeignKey(
        Deadline, verbose_name=_("deadline"), on_delete=models.CASCADE, related_name="action_failures"
    )
    light = models.PositiveSmallIntegerField(_("light"), choices=Deadline.Light.choices)
    action = models.JSONField(_("action"), default=dict, help_text=_("The action as the policy names it."))
    error = models.TextField(_("error"))
    failed_at = models.DateTimeField(_("failed at"), db_index=True)

    class Meta:
        verbose_name = _("failed deadline action")
        verbose_name_plural = _("failed deadline actions")
        ordering = ["-failed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.deadline} · {self.summary}"

    @property
    def summary(self) -> str:
        """The action in a few words, e.g. "transition deem_accepted"."""
        kind = str(self.action.get("type", ""))
        name = self.action.get("action") or ", ".join(self.action.get("roles") or self.action.get("notify_roles") or [])
        return f"{kind} {name}".strip()
