from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gov_services.gov_services.doctype.evaluation.scales import scale_in_use
from gov_services.gov_services.doctype.portal_account.models import PortalAccount


class SignUpForm(forms.Form):
    account_type = forms.ChoiceField(
        label=_("I am"), choices=PortalAccount.AccountType.choices, widget=forms.RadioSelect, initial="person"
    )
    name = forms.CharField(label=_("Name (as on the ID card) or company name"), max_length=100)
    id_number = forms.CharField(
        label=_("Resident ID number, or the company's unified social credit code"),
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "characters"}),
    )
    contact_name = forms.CharField(label=_("Contact person (companies)"), max_length=50, required=False)
    phone = forms.RegexField(
        label=_("Mobile phone"),
        regex=r"^1\d{10}$",
        error_messages={"invalid": _("Enter an 11-digit mobile number.")},
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), min_length=8
    )
    password2 = forms.CharField(
        label=_("Password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password2"):
            raise ValidationError({"password2": _("The two passwords differ.")})
        return data


class EvaluationForm(forms.Form):
    """好差评 on the levels of the scale in use; a poor level needs its reason (S004 art. 22)."""

    level = forms.TypedChoiceField(label=_("How satisfied are you?"), coerce=int, widget=forms.RadioSelect)
    text = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(
        label=_("Reason (required when dissatisfied)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scale = scale_in_use()
        self.fields["level"].choices = self.scale.choices()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("level") in self.scale.poor_values and not (data.get("reason") or "").strip():
            raise ValidationError({"reason": _("A dissatisfied evaluation must give its reason.")})
        return data


class ProgressForm(forms.Form):
    number = forms.CharField(label=_("Application number"), max_length=40)
    phone = forms.CharField(
        label=_("Phone number given when applying"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )


class FollowUpForm(forms.Form):
    text = forms.CharField(label=_("Your follow-up"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
