from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulerConfig(AppConfig):
    name = "lowcode.scheduler"
    label = "lowcode_scheduler"
    verbose_name = _("Background jobs")
