from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeadlinesConfig(AppConfig):
    name = "lowcode.deadlines"
    label = "lowcode_deadlines"
    verbose_name = _("Deadlines")

    def ready(self) -> None:
        from lowcode.core import registry
        from lowcode.core.fixtures import register_importer
        from lowcode.deadlines.fixtures import calendar_upsert
        from lowcode.deadlines.models import WorkingCalendar

        registry.register(WorkingCalendar, name="Working Calendar", module="Core", natural_key="name", icon="event")
        register_importer("Working Calendar", calendar_upsert)
