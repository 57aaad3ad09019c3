"""Web Form (Frappe's Web Form): a portal page generated from a DocType — which fields, on which pages, who may
use it (login, real-name level), until which state the submitter may still edit, and what files it accepts.

Fields are referred to by their key on the DocType, so relabelling a field never breaks a form."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from lowcode.core.models import Document

FILE_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}
MAX_FILE_MB = 50


class RealNameLevel(models.IntegerChoices):
    """Real-name authentication levels of a portal account (S004 art. 8 in gov_services)."""

    NONE = 0, _("No real-name check")
    BASIC = 1, _("Basic real-name")
    ADVANCED = 2, _("Advanced real-name")


def validate_file_types(value: str) -> None:
    unknown = sorted({t.strip() for t in value.split(",") if t.strip()} - FILE_TYPES.keys())
    if unknown:
        raise ValidationError(_("Unknown file types: %(types)s. Use pdf, png, jpg.") % {"types": ", ".join(unknown)})


class WebForm(Document):
    route = models.CharField(
        _("route"),
        max_length=60,
        unique=True,
        validators=[RegexValidator(r"^[a-z0-9][a-z0-9-]*$", _("Lower-case letters, digits and hyphens only."))],
        help_text=_("The form lives at /<route>/new, the submitter's list at /<route>/."),
    )
    title = models.CharField(_("title"), max_length=100)
    doctype = models.CharField(_("DocType"), max_length=100)
    introduction = models.TextField(_("introduction"), blank=True)
    published = models.BooleanField(_("published"), default=True)
    login_required = models.BooleanField(_("login required"), default=True)
    realname_level = models.PositiveSmallIntegerField(
        _("real-name level required"), choices=RealNameLevel.choices, default=RealNameLevel.NONE
    )
    owner_field = models.CharField(
        _("submitter field"),
        max_length=100,
        blank=True,
        help_text=_("The DocType's link to the portal account that submits, e.g. applicant_user."),
    )
    editable_states = models.JSONField(
        _("editable in states"),
        default=list,
        blank=True,
        help_text=_("The submitter may still change the record while it is in one of these workflow states."),
    )
    show_list = models.BooleanField(_("show “my submissions”"), default=True)
    list_columns = models.JSONField(_("list columns"), default=list, blank=True)
    allowed_file_types = models.CharField(
        _("allowed file types"), max_length=60, default="pdf,png,jpg", validators=[validate_file_types]
    )
    max_file_size_mb = models.PositiveSmallIntegerField(_("largest file (MB)"), default=10)
    success_message = models.TextField(_("success message"), blank=True)
    fixture_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta(Document.Meta):
        verbose_name = _("web form")
        verbose_name_plural = _("web forms")
        ordering = ["route"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        from lowcode.webforms.schema import check_web_form

        errors = check_web_form(self, list(self.fields.all()) if self.pk else [])
        if errors:
            raise ValidationError(errors)


class WebFormField(models.Model):
    web_form = models.ForeignKey(WebForm, verbose_name=_("web form"), on_delete=models.CASCADE, related_name="fields")
    idx = models.PositiveIntegerField(_("order"), default=0)
    fieldname = models.CharField(_("field"), max_length=100, help_text=_("The field's key on the DocType."))
    label = models.CharField(_("label"), max_length=100, blank=True, help_text=_("Empty: the field's own label."))
    page = models.CharField(
        _("page"), max_length=60, blank=True, help_text=_("Fields with the same page show together.")
    )
    section = models.CharField(_("section"), max_length=60, blank=True)
    required = models.BooleanField(_("required"), default=False, help_text=_("Required here even if optional."))
    read_only = models.BooleanField(
        _("read-only"), default=False, help_text=_("Shown prefilled (from the account) and not editable.")
    )
    default = models.CharField(_("default"), max_length=200, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    file_types = models.CharField(
        _("file types"), max_length=60, blank=True, validators=[validate_file_types], help_text=_("Empty: the form's.")
    )
    max_size_mb = models.PositiveSmallIntegerField(_("largest file (MB)"), null=True, blank=True)

    class Meta:
        verbose_name = _("web form field")
        verbose_name_plural = _("web form fields")
        ordering = ["web_form", "idx", "id"]
        constraints = [models.UniqueConstraint(fields=["web_form", "fieldname"], name="web_form_field_once")]

    def __str__(self) -> str:
        return self.fieldname

    def accepted_types(self) -> list[str]:
        source = self.file_types or self.web_form.allowed_file_types
        return [FILE_TYPES[t.strip()] for t in source.split(",") if t.strip() in FILE_TYPES]

    def size_limit(self) -> int:
        return min(self.max_size_mb or self.web_form.max_file_size_mb, MAX_FILE_MB) * 1024 * 1024
