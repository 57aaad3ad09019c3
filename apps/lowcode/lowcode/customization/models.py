"""Custom Field and Property Setter (Frappe's): what an administrator adds to a DocType, and how they override
its standard fields — kept as data, layered over the code's definition at request time, never migrations."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from lowcode.core.models import Document
from lowcode.customization.fieldtypes import TYPES


class CustomField(Document):
    """A field an administrator adds to a DocType. Its key is fixed at creation: relabelling never changes it,
    so stored values, web forms, prints and API clients keep working."""

    TYPE_CHOICES = [(name, t.label) for name, t in TYPES.items()]

    doctype = models.CharField(_("DocType"), max_length=100, db_index=True)
    fieldname = models.CharField(
        _("key"),
        max_length=60,
        validators=[RegexValidator(r"^[a-z][a-z0-9_]*$", _("Lower-case letters, digits and underscores."))],
        help_text=_("Fixed once saved; the label may change at any time."),
    )
    label_zh = models.CharField(_("label (Chinese)"), max_length=100)
    label_en = models.CharField(_("label (English)"), max_length=100, blank=True)
    fieldtype = models.CharField(_("type"), max_length=10, choices=TYPE_CHOICES)
    options = models.TextField(
        _("options"), blank=True, help_text=_("Select: one option per line. Link: the DocType linked to.")
    )
    required = models.BooleanField(_("required"), default=False)
    default = models.CharField(_("default"), max_length=140, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    insert_after = models.CharField(_("insert after"), max_length=100, blank=True)
    read_only = models.BooleanField(_("read-only"), default=False)
    hidden = models.BooleanField(_("hidden"), default=False)
    depends_on = models.CharField(
        _("shown when"),
        max_length=300,
        blank=True,
        help_text=_("An expression over doc, e.g. doc.applicant_type == 'company'"),
    )
    in_list_view = models.BooleanField(_("in list view"), default=False)
    in_standard_filter = models.BooleanField(_("in standard filter"), default=False, help_text=_("Indexed."))
    in_web_form = models.BooleanField(_("in web forms"), default=False)
    archived = models.BooleanField(
        _("archived"), default=False, editable=False, help_text=_("Deleted: its values are kept until purged.")
    )

    class Meta(Document.Meta):
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        ordering = ["doctype", "id"]
        constraints = [models.UniqueConstraint(fields=["doctype", "fieldname"], name="custom_field_key_once")]

    def __str__(self) -> str:
        return f"{self.doctype}.{self.fieldname}"

    @property
    def label(self) -> str:
        if not (get_language() or "zh").startswith("zh") and self.label_en:
            return self.label_en
        return self.label_zh

    def option_list(self) -> list[str]:
        return [o.strip() for o in self.options.splitlines() if o.strip()]

    @property
    def column(self) -> str:
        """The generated, indexed column behind a standard-filter field."""
        return f"cf_{self.fieldname}"

    def clean(self) -> None:
        from lowcode.customization.schema import check_custom_field

        errors = check_custom_field(self)
        if errors:
            raise ValidationError(errors)


class PropertySetter(models.Model):
    """One override of one property of a standard field (Customize Form)."""

    class Property(models.TextChoices):
        LABEL = "label", _("label")
        HIDDEN = "hidden", _("hidden")
        REQUIRED = "required", _("required")
        READ_ONLY = "read_only", _("read-only")
        IN_LIST_VIEW = "in_list_view", _("in list view")
        IN_STANDARD_FILTER = "in_standard_filter", _("in standard filter")
        DEFAULT = "default", _("default")
        OPTIONS = "options", _("select options")
        IDX = "idx", _("order")
        SECTION = "section", _("section")

    doctype = models.CharField(_("DocType"), max_length=100, db_index=True)
    fieldname = models.CharField(_("field"), max_length=100)
    property = models.CharField(_("property"), max_length=20, choices=Property.choices)
    value = models.TextField(_("value"), blank=True)
    modified_at = models.DateTimeField(_("modified at"), auto_now=True)

    class Meta:
        verbose_name = _("property setter")
        verbose_name_plural = _("property setters")
        ordering = ["doctype", "fieldname", "property"]
        constraints = [
            models.UniqueConstraint(fields=["doctype", "fieldname", "property"], name="property_setter_once")
        ]

    def __str__(self) -> str:
        return f"{self.doctype}.{self.fieldname}.{self.property} = {self.value}"
