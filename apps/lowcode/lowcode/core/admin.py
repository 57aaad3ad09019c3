from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

from lowcode.core import permissions
from lowcode.core.documents import delete_doc, insert_doc, save_doc
from lowcode.core.models import LoginEvent, NotificationLog, Role, ScheduledJobLog
from lowcode.core.users import GUARDED, may_manage

User = get_user_model()

admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(DjangoUserAdmin, ModelAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm
    list_display = ("username", "last_name", "first_name", "email", "is_active", "is_staff", "last_login")
    list_filter = ("is_active", "is_staff", "is_superuser", "groups")
    search_fields = ("username", "first_name", "last_name", "email")
    ordering = ("username",)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """A superuser's account (its password page included) is for superusers only."""
        if obj is not None and not may_manage(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and not may_manage(request.user, obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += [f for f in GUARDED if f not in readonly]
        return readonly

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        concrete = {f.name for f in obj._meta.concrete_fields}
        fields = [f for f in form.changed_data if f in concrete]
        if change:
            save_doc(obj, update_fields=fields, user=request.user)
        else:
            insert_doc(obj, user=request.user, given=fields)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        delete_doc(obj, user=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            delete_doc(obj, user=request.user)


@admin.register(Role)
class RoleAdmin(ModelAdmin):
    list_display = ("name", "label_zh", "label_en", "desk_access", "is_standard", "user_count")
    list_filter = ("desk_access", "is_standard")
    search_fields = ("name", "label_zh", "label_en")
    fields = ("name", "label_zh", "label_en", "description", "desk_access", "is_standard", "permissions")
    readonly_fields = ("is_standard",)
    filter_horizontal = ("permissions",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Role]:
        return super().get_queryset(request).annotate(users=Count("user"))

    @admin.display(description=_("number of users"), ordering="users")
    def user_count(self, obj: Role) -> int:
        return obj.users  # type: ignore[attr-defined]

    def get_readonly_fields(self, request: HttpRequest, obj: Role | None = None) -> tuple[str, ...]:
        # A standard role's key is referenced by fixtures and code; it never changes.
        if obj is not None and obj.is_standard:
            return ("name", "is_standard")
        return ("is_standard",)

    def has_delete_permission(self, request: HttpRequest, obj: Role | None = None) -> bool:
        if obj is not None and obj.is_standard:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(ScheduledJobLog)
class ScheduledJobLogAdmin(ModelAdmin):
    list_display = ("method", "event", "status", "started_at", "ended_at")
    list_filter = ("status", "event")
    search_fields = ("method", "job_id")
    date_hierarchy = "started_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ScheduledJobLog | None = None) -> bool:
        return False


@admin.register(LoginEvent)
class LoginEventAdmin(ModelAdmin):
    """The login audit: every sign-in, failure and refusal while locked, with address and browser."""

    list_display = ("at", "username", "outcome", "address", "path", "user_agent")
    list_filter = ("outcome", "path", "at")
    search_fields = ("=username", "=address")
    date_hierarchy = "at"
    show_full_result_count = False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return permissions.has_role_right(request.user, LoginEvent, "read")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(NotificationLog)
class NotificationLogAdmin(ModelAdmin):
    """Each user's own notifications (scoped in lowcode.core.permissions like every DocType)."""

    list_display = ("subject", "created_at", "read")
    list_filter = ("read",)
    search_fields = ("subject", "body")
    fields = ("subject", "body", "doctype", "doc_id", "created_at", "read")
    readonly_fields = ("subject", "body", "doctype", "doc_id", "created_at")
    actions = ["mark_read"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[NotificationLog]:
        return permissions.scope(request.user, super().get_queryset(request), "read")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Mark as read"))
    def mark_read(self, request: HttpRequest, queryset: QuerySet[NotificationLog]) -> None:
        queryset.update(read=True)
