from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "lowcode.core"
    label = "lowcode_core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group

        from lowcode.core import (  # noqa: F401  (system checks register on import)
            checks,
            registry,
            throttle,
        )
        from lowcode.core.models import LoginEvent, NotificationLog, Role, ScheduledJobLog

        registry.register(
            get_user_model(),
            name="User",
            module="Core",
            natural_key="username",
            controller="lowcode.core.users.UserController",
        )
        registry.register(Role, name="Role", module="Core", natural_key="name")
        registry.register(ScheduledJobLog, name="Scheduled Job Log", module="Core", large=True)
        registry.register(NotificationLog, name="Notification Log", module="Core", icon="notifications", large=True)
        registry.register(LoginEvent, name="Login Event", module="Core", icon="login", large=True)
        from lowcode.core.fixtures import register_importer
        from lowcode.core.roles import role_upsert

        register_importer("Role", role_upsert)
        registry.hide(Group)  # roles are edited as Role; the bare group stays out of the desk
        if apps.is_installed("django_rq"):
            registry.register(apps.get_model("django_rq", "Dashboard"), name="Queue Dashboard", module="Core")
