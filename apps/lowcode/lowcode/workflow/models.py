"""Workflows as data: states and transitions of a DocType's state field, edited in the desk.

The engine (lowcode.workflow.engine) is the only writer of a workflow-managed state field; every
transition it applies leaves an immutable WorkflowAction row, and every approval of a multi-approver
state a WorkflowApproval row.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from lowcode.core.models import Document, Role
from lowcode.core.problems import Problem, by_field


class Workflow(Document):
    name = models.CharField(_("name"), max_length=100, unique=True)
    doctype = models.CharField(_("DocType"), max_length=100, help_text=_("The DocType name, e.g. Application."))
    state_field = models.CharField(_("state field"), max_length=100, default="status")
    is_active = models.BooleanField(_("active"), default=True)
    description = models.TextField(_("description"), blank=True)
    fixture_hash = models.CharField(
        _("fixture fingerprint"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("The shipped definition last applied; a workflow edited since is not overwritten by fixtures."),
    )

    class Meta(Document.Meta):
        verbose_name = _("workflow")
        verbose_name_plural = _("workflows")
        ordering = ["doctype", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        problems = self.active_conflicts()
        if problems:
            raise ValidationError(by_field(problems))

    def active_conflicts(self) -> list[Problem]:
        """A DocType follows one workflow: while another is active on it, this one cannot be (the engine would
        follow whichever the database returns first)."""
        if not self.is_active:
            return []
        others = list(
            Workflow.objects.filter(doctype=self.doctype, is_active=True)
            .exclude(pk=self.pk)
            .order_by("name")
            .values_list("name", flat=True)
        )
        if not others:
            return []
        return [
            Problem(
                "lowcode_workflow.E021",
                gettext("%(doctype)s already follows the active workflow %(names)s; a DocType has one active workflow.")
                % {"doctype": self.doctype, "names": "、".join(f"“{n}”" for n in others)},
                hint=gettext("Deactivate all but one of the workflows of this DocType."),
                field="is_active",
            )
        ]


class WorkflowState(models.Model):
    class Colour(models.TextChoices):
        GREY = "info", _("Grey")
        GREEN = "success", _("Green")
        ORANGE = "warning", _("Orange")
        RED = "danger", _("Red")
        BLUE = "primary", _("Blue")

    class ApprovalMode(models.TextChoices):
        NONE = "", _("No joint approval")
        ALL = "all", _("All groups approve")
        N_OF_M = "n_of_m", _("N of the groups approve")

    workflow = models.ForeignKey(Workflow, verbose_name=_("workflow"), on_delete=models.CASCADE, related_name="states")
    idx = models.PositiveIntegerField(_("order"), default=0)
    name = models.CharField(_("state"), max_length=50, help_text=_("The stored value, e.g. accepted. Never renamed."))
    label_zh = models.CharField(_("label (Chinese)"), max_length=50)
    label_en = models.CharField(_("label (English)"), max_length=50, blank=True)
    colour = models.CharField(_("colour"), max_length=10, choices=Colour.choices, default=Colour.GREY)
    is_initial = models.BooleanField(_("initial"), default=False)
    is_final = models.BooleanField(_("final"), default=False)
    edit_roles = models.ManyToManyField(
        Role,
        verbose_name=_("may edit in this state"),
        blank=True,
        related_name="+",
        help_text=_("Roles that may edit the document's fields while it is in this state."),
    )
    approval_mode = models.CharField(
        _("joint approval"), max_length=10, choices=ApprovalMode.choices, blank=True, default=""
    )
    approval_groups_field = models.CharField(
        _("approving groups from field"),
        max_length=100,
        blank=True,
        help_text=_("A field of the document listing who must approve, e.g. co_departments."),
    )
    approval_roles = models.ManyToManyField(
        Role,
        verbose_name=_("approving roles"),
        blank=True,
        related_name="+",
        help_text=_("Or: each of these roles must approve (when no field is given)."),
    )
    approvals_required = models.PositiveSmallIntegerField(
        _("approvals required"), default=0, help_text=_("For N of the groups: N.")
    )

    class Meta:
        verbose_name = _("workflow state")
        verbose_name_plural = _("workflow states")
        ordering = ["workflow", "idx", "id"]
        constraints = [models.UniqueConstraint(fields=["workflow", "name"], name="workflow_state_unique")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if (get_language() or "").startswith("zh"):
            return self.label_zh or self.name
        return self.label_en or self.label_zh or self.name


class WorkflowTransition(models.Model):
    workflow = models.ForeignKey(
        Workflow, verbose_name=_("workflow"), on_delete=models.CASCADE, related_name="transitions"
    )
    idx = models.PositiveIntegerField(_("order"), default=0)
    from_state = models.CharField(_("from state"), max_length=50)
    action = models.CharField(_("action"), max_length=50, help_text=_("A key, e.g. accept."))
    label_zh = models.CharField(_("action label (Chinese)"), max_length=50)
    label_en = models.CharField(_("action label (English)"), max_length=50, blank=True)
    to_state = models.CharField(_("to state"), max_length=50)
    roles = models.ManyToManyField(Role, verbose_name=_("allowed roles"), related_name="+")
    condition = models.TextField(
        _("condition"),
        blank=True,
        help_text=_("A sandboxed expression over doc and user, e.g. doc.channel == 'online'."),
    )
    require_comment = models.BooleanField(_("comment required"), default=False)
    required_fields = models.CharField(
        _("required fields"), max_length=300, blank=True, help_text=_("Comma-separated field names.")
    )
    allow_self_approval = models.BooleanField(
        _("self-approval allowed"),
        default=True,
        help_text=_("If not, the document's creator may not take this action."),
    )
    bypass_approvals = models.BooleanField(
        _("not held by joint approval"),
        default=False,
        help_text=_("May be taken before the joint approvals are complete (e.g. deny, withdraw)."),
    )
    effects = models.JSONField(_("side effects"), default=list, blank=True)

    class Meta:
        verbose_name = _("workflow transition")
        verbose_name_plural = _("workflow transitions")
        ordering = ["workflow", "idx", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workflow", "from_state", "action"], name="workflow_transition_unique")
        ]

    def __str__(self) -> str:
        return f"{self.from_state} —{self.action}→ {self.to_state}"

    @property
    def label(self) -> str:
        if (get_language() or "").startswith("zh"):
            return self.label_zh or self.action
        return self.label_en or self.label_zh or self.action

    @property
    def required_field_names(self) -> list[str]:
        return [f.strip() for f in self.required_fields.split(",") if f.strip()]


class WorkflowAction(models.Model):
    """The audit trail of transitions: who, when, from, to, action, comment, changed fields. Never changed."""

    doctype = models.CharField(_("DocType"), max_length=100)
    doc_id = models.CharField(_("document"), max_length=64)
    workflow = models.ForeignKey(Workflow, verbose_name=_("workflow"), on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("action"), max_length=50)
    action_label = models.CharField(_("action label"), max_length=50)
    from_state = models.CharField(_("from state"), max_length=50)
    to_state = models.CharField(_("to state"), max_length=50)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), db_index=True)
    comment = models.TextField(_("comment"), blank=True)
    changed = models.JSONField(_("changed fields"), default=dict, blank=True)

    class Meta:
        verbose_name = _("workflow action")
        verbose_name_plural = _("workflow actions")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["doctype", "doc_id", "at"], name="workflow_action_doc")]

    def __str__(self) -> str:
        return f"{self.doctype} {self.doc_id}: {self.action_label}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("workflow actions are an audit trail and are never changed")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("workflow actions are an audit trail and are never deleted")


class WorkflowApproval(models.Model):
    """One group's approval of a document in a joint-approval state (会签)."""

    doctype = models.CharField(_("DocType"), max_length=100)
    doc_id = models.CharField(_("document"), max_length=64)
    state = models.CharField(_("state"), max_length=50)
    round = models.PositiveIntegerField(_("round"), default=1, help_text=_("Each entry into the state starts a round."))
    group = models.CharField(_("approving group"), max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"))
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("workflow approval")
        verbose_name_plural = _("workflow approvals")
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["doctype", "doc_id", "state", "round", "group"], name="workflow_approval_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.doctype} {self.doc_id} {self.state}: {self.group}"
