"""What happens when a deadline's light turns yellow or red: the actions of its policy.

    {"type": "supervise", "working_days": 3, "notify_roles": ["Supervisor"]}
        open a supervision notice (督办通知) for the deadline's department, due in that many working days,
        and notify the users of those roles;
    {"type": "notify", "roles": ["Supervisor"]}
        a notification to the users of those roles;
    {"type": "transition", "action": "deem_accepted"}
        take that workflow action on the document as the system (e.g. deemed accepted, S001 (四)).

They run inside the sweep's transaction for the batch, so a light and its consequences are written
together or not at all: a notice is never opened twice, nor lost. The notices and notifications of a batch are
written with one multi-row INSERT each, their values prepared once per batch where they repeat (the times, the
policy's label): at a city's volume the ORM's bulk_create spent three times the database's own time preparing
values row by row (benchmarks/deadline_sweep.py). Like bulk_create, it writes around the controller: these rows
are the sweep's own, made in bulk. An action that fails for one deadline is
logged (with its traceback) and recorded as a DeadlineActionFailure in the same transaction — the supervisor's
overview lists it — and the batch goes on: one document that refuses never holds up the others' escalation.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lowcode.core import registry
from lowcode.core.models import NotificationLog
from lowcode.core.naming import make_names
from lowcode.core.problems import Problem
from lowcode.deadlines.models import (
    Deadline,
    DeadlineActionFailure,
    DeadlinePolicy,
    SupervisionNotice,
    WorkingCalendar,
)
from lowcode.deadlines.selectors import snapshot_of
from lowcode.deadlines.worktime import Calendar

logger = logging.getLogger(__name__)

NOTICE_SERIES = "DB.YYYY.MM.DD.#####"
TYPES = ("supervise", "notify", "transition")


def action_problems(value: Any, field: str) -> list[Problem]:
    """What is wrong with a policy's list of yellow or red actions on their own (against the workflow: the
    policy's own check, DeadlinePolicy.problems)."""
    if not isinstance(value, list):
        return [Problem("lowcode_deadlines.E015", _("A list of actions."), field=field)]
    problems = []
    for action in value:
        kind = action.get("type") if isinstance(action, dict) else None
        if kind not in TYPES:
            problems.append(
                Problem(
                    "lowcode_deadlines.E010",
                    _("Unknown action %(action)r; known: %(known)s") % {"action": action, "known": ", ".join(TYPES)},
                    field=field,
                )
            )
        elif kind == "supervise" and not (isinstance(action.get("working_days"), int) and action["working_days"] > 0):
            problems.append(
                Problem(
                    "lowcode_deadlines.E011",
                    _("A supervision notice needs its own limit in working days, e.g. 3."),
                    field=field,
                )
            )
        elif kind == "transition" and not action.get("action"):
            problems.append(Problem("lowcode_deadlines.E012", _("Name the workflow action to take."), field=field))
    return problems


@dataclass(frozen=True, slots=True)
class Due:
    """A deadline whose light the sweep has just changed, with the columns its actions read (a full Deadline
    instance cost the sweep more than its own UPDATE)."""

    pk: int
    policy_id: int
    calendar_id: int
    doctype: str
    doc_id: int
    doc_title: str
    department_key: str
    department: str
    due_at: datetime
    policy: DeadlinePolicy
    calendar: WorkingCalendar


class Runner:
    """Runs the actions of many deadlines of one sweep, reading users and calendars once."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self._users: dict[tuple[str, ...], list[int]] = {}
        self._calendars: dict[int, Calendar] = {}
        self._answer_dues: dict[tuple[int, int], datetime] = {}
        self._due_texts: dict[tuple[int, datetime], str] = {}
        self._texts: dict[str, str] = {}
        self._labels: dict[int, str] = {}
        self._failures: list[DeadlineActionFailure] = []
        self.failed = 0  # actions that failed in this sweep (each recorded as a DeadlineActionFailure)

    def text(self, message: str) -> str:
        """A translated message, looked up once per sweep (the same for thousands of rows)."""
        if message not in self._texts:
            self._texts[message] = _(message)
        return self._texts[message]

    def label(self, deadline: Due) -> str:
        if deadline.policy_id not in self._labels:
            self._labels[deadline.policy_id] = str(deadline.policy.label)
        return self._labels[deadline.policy_id]

    def users_with(self, roles: Iterable[str]) -> list[int]:
        key = tuple(sorted(roles))
        if key not in self._users:
            self._users[key] = list(
                get_user_model()
                .objects.filter(is_active=True, groups__name__in=key)
                .distinct()
                .values_list("pk", flat=True)
            )
        return self._users[key]

    def calendar(self, deadline: Due) -> Calendar:
        if deadline.calendar_id not in self._calendars:
            self._calendars[deadline.calendar_id] = snapshot_of(deadline.calendar)
        return self._calendars[deadline.calendar_id]

    def run(self, light: int, deadlines: Sequence[Due]) -> int:
        """Run each deadline's actions for `light`; returns the number of supervision notices opened.

        An action that fails for one deadline (its document refuses the workflow action, say) is logged with its
        traceback and recorded as a DeadlineActionFailure, which the supervisor's overview lists; the other
        actions and deadlines of the batch go on. Nothing is dropped silently."""
        notices: list[dict[str, Any]] = []
        messages: list[dict[str, Any]] = []
        transitions: list[tuple[Due, dict[str, Any]]] = []
        for deadline in deadlines:
            policy = deadline.policy
            for action in policy.on_red if light == Deadline.Light.RED else policy.on_yellow:
                kind = action.get("type") if isinstance(action, dict) else None
                try:
                    if kind == "supervise":
                        notice = self._notice(deadline, action)
                        found = self._messages(deadline, action.get("notify_roles", []), light)
                        notices.append(notice)
                        messages += found
                    elif kind == "notify":
                        messages += self._messages(deadline, action.get("roles", []), light)
                    elif kind == "transition":
                        transitions.append((deadline, action))
                    else:
                        logger.error("deadline %s: unknown %s action %r", deadline.pk, _light(light), action)
                        self._failed(deadline, light, action, _("Unknown action: %(action)r") % {"action": action})
                except Exception as exc:
                    logger.exception("deadline %s: the %s action %r failed", deadline.pk, _light(light), action)
                    self._failed(deadline, light, action, describe_error(exc))
        if notices:
            for notice, number in zip(notices, make_names(NOTICE_SERIES, len(notices)), strict=True):
                notice["number"] = number
            insert_rows(SupervisionNotice, notices)
        if messages:
            insert_rows(NotificationLog, messages)
        for deadline, action in transitions:
            self._transition(deadline, light, action)
        if self._failures:
            DeadlineActionFailure.objects.bulk_create(self._failures)
            self.failed += len(self._failures)
            self._failures = []
        return len(notices)

    def _failed(self, deadline: Due, light: int, action: Any, error: str) -> None:
        self._failures.append(
            DeadlineActionFailure(
                deadline_id=deadline.pk,
                light=light,
                action=action if isinstance(action, dict) else {"value": action},
                error=error,
                failed_at=self.now,
            )
        )

    def _answer_due(self, deadline: Due, days: int) -> datetime:
        key = (deadline.calendar_id, days)
        if key not in self._answer_dues:  # the same for every notice of this sweep on this calendar
            self._answer_dues[key] = self.calendar(deadline).add_working_days(self.now, days)
        return self._answer_dues[key]

    def _notice(self, deadline: Due, action: dict[str, Any]) -> dict[str, Any]:
        """A supervision notice's values (its number is given when the batch's notices are counted)."""
        return {
            "deadline_id": deadline.pk,
            "doctype": deadline.doctype,
            "doc_id": deadline.doc_id,
            "doc_title": deadline.doc_title,
            "department_key": deadline.department_key,
            "department": deadline.department,
            "subject": (
                self.text(gettext_noop("Overdue: %(policy)s of %(doc)s"))
                % {"policy": self.label(deadline), "doc": deadline.doc_title}
            )[:200],
            "issued_at": self.now,
            "due_at": self._answer_due(deadline, int(action["working_days"])),
        }

    def _due_text(self, deadline: Due) -> str:
        """The due instant as the calendar's clock shows it (many deadlines share one: remembered)."""
        key = (deadline.calendar_id, deadline.due_at)
        if key not in self._due_texts:
            self._due_texts[key] = deadline.due_at.astimezone(self.calendar(deadline).tz).strftime("%Y-%m-%d %H:%M")
        return self._due_texts[key]

    def _messages(self, deadline: Due, roles: list[str], light: int) -> list[dict[str, Any]]:
        users = self.users_with(roles)
        if not users:
            return []
        if light == Deadline.Light.RED:
            subject = self.text(gettext_noop("Red light: %(policy)s of %(doc)s is overdue")) % {
                "policy": self.label(deadline),
                "doc": deadline.doc_title,
            }
        else:
            subject = self.text(gettext_noop("Yellow light: %(policy)s of %(doc)s is nearly due")) % {
                "policy": self.label(deadline),
                "doc": deadline.doc_title,
            }
        body = self.text(gettext_noop("Department: %(department)s. Due: %(due)s.")) % {
            "department": deadline.department or "—",
            "due": self._due_text(deadline),
        }
        subject, doc_id = subject[:200], str(deadline.doc_id)
        return [
            {
                "user_id": user,
                "subject": subject,
                "body": body,
                "doctype": deadline.doctype,
                "doc_id": doc_id,
                "created_at": self.now,
            }
            for user in users
        ]

    def _transition(self, deadline: Due, light: int, action: dict[str, Any]) -> None:
        from lowcode.workflow.engine import apply_transition

        doc = registry.get(deadline.doctype).model._default_manager.filter(pk=deadline.doc_id).first()
        if doc is None:
            logger.error("deadline %s: its %s %s no longer exists", deadline.pk, deadline.doctype, deadline.doc_id)
            self._failed(deadline, light, action, _("The document no longer exists."))
            return
        comment = _("Taken by the system: the time limit “%(policy)s” has passed.") % {"policy": deadline.policy.label}
        try:
            with transaction.atomic():  # a savepoint: a refused action leaves the batch's lights and notices
                apply_transition(doc, action["action"], None, comment=comment, as_system=True)
        except Exception as exc:
            logger.exception("deadline %s: the workflow action %r on %s failed", deadline.pk, action, doc)
            self._failed(deadline, light, action, describe_error(exc))


def insert_rows(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """Insert `rows` (values by attribute name, the same names in every row; a field left out gets its default)
    with one multi-row INSERT.

    Each value goes through its field's own get_db_prep_save, once per distinct value of the batch — the same
    instant, label or default repeats on every row; a field that gives a str or int back as itself (a plain
    character, text, integer or foreign-key field) passes that type's later values as they are. For the sweep's
    own models, whose fields are all of these kinds. auto_now and auto_now_add fields get the moment of the
    insert, as bulk_create gives them. No signals, no primary keys returned: bulk_create's contract."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    stamp = timezone.now()
    named = rows[0].keys()
    prepared: dict[tuple[str, Any], Any] = {}
    as_is: dict[str, type] = {}  # fields whose get_db_prep_save gives a str or int value back as itself

    def prep(field: models.Field[Any, Any], value: Any) -> Any:
        if type(value) is as_is.get(field.attname):
            return value  # a title, a number, an id: nothing to prepare, nothing worth remembering
        try:
            key = (field.attname, value)
            if key not in prepared:
                prepared[key] = field.get_db_prep_save(value, connection)
                if prepared[key] is value and type(value) in (str, int):
                    as_is[field.attname] = type(value)
            return prepared[key]
        except TypeError:  # unhashable (a JSON object): prepared for itself
            return field.get_db_prep_save(value, connection)

    # The same for every row: the stamps, and the defaults of the fields the rows leave out.
    template: list[Any] = []
    varying: list[tuple[int, str, models.Field[Any, Any]]] = []
    for i, f in enumerate(fields):
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            template.append(f.get_db_prep_save(stamp, connection))
        elif f.attname not in named:
            template.append(f.get_db_prep_save(f.get_default(), connection))
        else:
            template.append(None)
            varying.append((i, f.attname, f))
    values = []
    for row in rows:
        line = template.copy()
        for i, name, f in varying:
            line[i] = prep(f, row[name])
        values.append(line)
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)


def _light(light: int) -> str:
    return Deadline.Light(light).name.lower()


def describe_error(exc: BaseException) -> str:
    """What the supervisor reads: a refusal's own message; for anything else, its kind too."""
    from lowcode.workflow.engine import WorkflowError

    if isinstance(exc, WorkflowError):
        return str(exc)
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return f"{type(exc).__name__}: {exc}"
