from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gov_services.gov_services.doctype.portal_account import services
from gov_services.gov_services.doctype.portal_account.models import PortalAccount, RealNameCheck
from lowcode.desk.admin import ChildTableInline, DocTypeAdmin


class RealNameCheckInline(ChildTableInline):
    model = RealNameCheck
    fields = ("checked_at", "from_level", "to_level", "method", "checked_by")
    readonly_fields = fields
    rows_addable = False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PortalAccountForm(forms.ModelForm):
    new_level = forms.TypedChoiceField(
        label=_("set real-name level to"),
        choices=[("", "—"), *PortalAccount.Level.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    check_method = forms.CharField(
        label=_("how identity was checked"),
        required=False,
        max_length=200,
        help_text=_("e.g. 窗口核验居民身份证原件并人脸比对"),
    )

    class Meta:
        model = PortalAccount
        fields = ("name", "phone", "address", "contact_name")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("new_level") is not None and not (data.get("check_method") or "").strip():
            raise ValidationError({"check_method": _("Say how the identity was checked.")})
        return data


@admin.register(PortalAccount)
class PortalAccountAdmin(DocTypeAdmin):
    form = PortalAccountForm
    inlines = [RealNameCheckInline]
    list_display = ("name", "id_number", "account_type", "realname_level", "phone", "created_at")
    list_filter = ("account_type", "realname_level")
    search_fields = ("name", "=id_number", "phone")
    readonly_fields = ("account_type", "id_type", "id_number", "user", "realname_level")
    fieldsets = (
        (
            _("Account"),
            {"fields": ("account_type", "name", "id_type", "id_number", "contact_name", "phone", "address")},
        ),
        (_("Real-name level"), {"fields": ("realname_level", "new_level", "check_method")}),
    )

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # people sign up in the portal

    def save_model(self, request: HttpRequest, obj: PortalAccount, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        level = form.cleaned_data.get("new_level")
        if level is not None and level != obj.realname_level:
            services.portal_account_set_level(
                account=obj, level=level, method=form.cleaned_data["check_method"], user=request.user
            )
