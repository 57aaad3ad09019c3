from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "lowcode.portal"
    label = "lowcode_portal"
    verbose_name = _("Portal")
