"""The platform's own hooks, read like any app's (see lowcode.core.hooks)."""

app_name = "lowcode"
app_title = "Lowcode"

# Django apps this app contributes, in order.
django_apps = [
    "lowcode.core",
    "lowcode.desk",
    "lowcode.portal",
    "lowcode.scheduler",
    "lowcode.workflow",
    "lowcode.deadlines",
    "lowcode.printing",
    "lowcode.api",
    "lowcode.webforms",
    "lowcode.customization",
]

scheduler_events = {
    "all": ["lowcode.deadlines.sweep.run"],
    "daily": [
        "lowcode.scheduler.tasks.clear_expired_sessions",
        "lowcode.scheduler.tasks.prune_job_logs",
    ],
}

fixtures: list[str] = []

doc_events = {"Role": {"on_trash": ["lowcode.core.roles.refuse_deleting_standard_role"]}}

# Everyone reads only their own notifications, superusers included (they are messages, not records).
permission_query_conditions = {"Notification Log": "lowcode.core.permissions.own_notifications"}

# Imported late: hooks are read before Django is set up, and lazy translations need no set-up.
from django.utils.translation import gettext_lazy as _  # noqa: E402

desk_modules = {
    "Supervision": {"label": _("Supervision"), "icon": "notification_important", "order": 50},
    "Core": {"label": _("Users and system"), "icon": "manage_accounts", "order": 900},
}
