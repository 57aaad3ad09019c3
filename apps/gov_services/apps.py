from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovServicesConfig(AppConfig):
    name = "gov_services"
    label = "gov_services"
    verbose_name = _("Government services")
