"""What happens when a deadline's light turns yellow or red: the actions of its policy.

    {"type": "supervise", "working_days": 3, "notify_roles": ["Supervisor"]}
        open a supervision notice (督办通知) for the deadline's department, due in that many working days,
        and notify the users of those roles;
    {"type": "notify", "roles": ["Supervisor"]}
        a notification to the users of those roles;
    {"type": "transition", "action": "deem_accepted"}
        take that workflow action on the document as the system (e.g. deemed accepted, S001 (四)).

They run inside the sweep's transaction for the batch, so a light and its consequences are written
together or not at all: a notice is never opened twice, nor lost.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lowcode.core import registry
from lowcode.core.models import NotificationLog
from lowcode.core.naming import make_names
from lowcode.deadlines.models import Deadline, SupervisionNotice
from lowcode.deadlines.selectors import snapshot_of
from lowcode.deadlines.worktime import Calendar

NOTICE_SERIES = "DB.YYYY.MM.DD.#####"
TYPES = ("supervise", "notify", "transition")


def validate_actions(value: Any) -> list[str]:
    if not isinstance(value, list):
        return [_("A list of actions.")]
    problems = []
    for action in value:
        kind = action.get("type") if isinstance(action, dict) else None
        if kind not in TYPES:
            problems.append(
                _("Unknown action %(action)r; known: %(known)s") % {"action": action, "known": ", ".join(TYPES)}
            )
        elif kind == "supervise" and not (isinstance(action.get("working_days"), int) and action["working_days"] > 0):
            problems.append(_("A supervision notice needs its own limit in working days, e.g. 3."))
        elif kind == "transition" and not action.get("action"):
            problems.append(_("Name the workflow action to take."))
    return problems


class Runner:
    """Runs the actions of many deadlines of one sweep, reading users and calendars once."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self._users: dict[tuple[str, ...], list[int]] = {}
        self._calendars: dict[int, Calendar] = {}
        self._answer_dues: dict[tuple[int, int], datetime] = {}
        self._texts: dict[str, str] = {}
        self._labels: dict[int, str] = {}

    def text(self, message: str) -> str:
        """A translated message, looked up once per sweep (the same for thousands of rows)."""
        if message not in self._texts:
            self._texts[message] = _(message)
        return self._texts[message]

    def label(self, deadline: Deadline) -> str:
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

    def calendar(self, deadline: Deadline) -> Calendar:
        if deadline.calendar_id not in self._calendars:
            self._calendars[deadline.calendar_id] = snapshot_of(deadline.calendar)
        return self._calendars[deadline.calendar_id]

    def run(self, light: int, deadlines: list[Deadline]) -> int:
        """Run each deadline's actions for `light`; returns the number of supervision notices opened."""
        notices: list[SupervisionNotice] = []
        messages: list[NotificationLog] = []
        transitions: list[tuple[Deadline, str]] = []
        for deadline in deadlines:
            policy = deadline.policy
            for action in policy.on_red if light == Deadline.Light.RED else policy.on_yellow:
                kind = action.get("type")
                if kind == "supervise":
                    notices.append(self._notice(deadline, action))
                    messages += self._messages(deadline, action.get("notify_roles", []), light)
                elif kind == "notify":
                    messages += self._messages(deadline, action.get("roles", []), light)
                elif kind == "transition":
                    transitions.append((deadline, action["action"]))
        if notices:
            for notice, number in zip(notices, make_names(NOTICE_SERIES, len(notices)), strict=True):
                notice.number = number
            SupervisionNotice.objects.bulk_create(notices)
        if messages:
            NotificationLog.objects.bulk_create(messages)
        for deadline, action in transitions:
            self._transition(deadline, action)
        return len(notices)

    def _answer_due(self, deadline: Deadline, days: int) -> datetime:
        key = (deadline.calendar_id, days)
        if key not in self._answer_dues:  # the same for every notice of this sweep on this calendar
            self._answer_dues[key] = self.calendar(deadline).add_working_days(self.now, days)
        return self._answer_dues[key]

    def _notice(self, deadline: Deadline, action: dict[str, Any]) -> SupervisionNotice:
        due = self._answer_due(deadline, int(action["working_days"]))
        return SupervisionNotice(
            deadline=deadline,
            doctype=deadline.doctype,
            doc_id=deadline.doc_id,
            doc_title=deadline.doc_title,
            department_key=deadline.department_key,
            department=deadline.department,
            subject=(
                self.text(gettext_noop("Overdue: %(policy)s of %(doc)s"))
                % {"policy": self.label(deadline), "doc": deadline.doc_title}
            )[:200],
            issued_at=self.now,
            due_at=due,
            created_at=self.now,
            modified_at=self.now,
        )

    def _messages(self, deadline: Deadline, roles: list[str], light: int) -> list[NotificationLog]:
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
            "due": deadline.due_at.astimezone(self.calendar(deadline).tz).strftime("%Y-%m-%d %H:%M"),
        }
        return [
            NotificationLog(
                user_id=user,
                subject=subject[:200],
                body=body,
                doctype=deadline.doctype,
                doc_id=str(deadline.doc_id),
                created_at=self.now,
            )
            for user in self.users_with(roles)
        ]

    def _transition(self, deadline: Deadline, action: str) -> None:
        from lowcode.workflow.engine import WorkflowError, apply_transition

        doc = registry.get(deadline.doctype).model._default_manager.filter(pk=deadline.doc_id).first()
        if doc is None:
            return
        comment = _("Taken by the system: the time limit “%(policy)s” has passed.") % {"policy": deadline.policy.label}
        try:
            with transaction.atomic():
                apply_transition(doc, action, None, comment=comment, as_system=True)
        except WorkflowError:
            pass  # the document moved on in the meantime; the red light stays as the record
