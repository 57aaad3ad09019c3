from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeadlinesConfig(AppConfig):
    name = "lowcode.deadlines"
    label = "lowcode_deadlines"
    verbose_name = _("Deadlines")

    def ready(self) -> None:
        from lowcode.core import registry
        from lowcode.core.fixtures import register_importer
        from lowcode.core.signals import document_inserted, transition_applied
        from lowcode.deadlines import checks, services  # noqa: F401  (checks register on import)
        from lowcode.deadlines.fixtures import calendar_upsert, policy_upsert
        from lowcode.deadlines.models import (
            Deadline,
            DeadlinePolicy,
            DeadlineRecompute,
            SupervisionNotice,
            WorkingCalendar,
        )

        registry.register(WorkingCalendar, name="Working Calendar", module="Core", natural_key="name", icon="event")
        registry.register(DeadlinePolicy, name="Deadline Policy", module="Core", natural_key="name", icon="timer")
        registry.register(Deadline, name="Deadline", module="Supervision", icon="alarm", large=True)
        registry.register(
            SupervisionNotice,
            name="Supervision Notice",
            module="Supervision",
            natural_key="number",
            icon="campaign",
            large=True,
        )
        registry.register(DeadlineRecompute, name="Deadline Recompute", module="Core", icon="sync")
        register_importer("Working Calendar", calendar_upsert)
        register_importer("Deadline Policy", policy_upsert)
        transition_applied.connect(services.on_transition, dispatch_uid="lowcode.deadlines")
        document_inserted.connect(services.on_insert, dispatch_uid="lowcode.deadlines")
