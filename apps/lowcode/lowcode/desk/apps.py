from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    default = True
    name = "lowcode.desk"
    label = "lowcode_desk"
    verbose_name = _("Desk")

    def ready(self) -> None:
        from lowcode.desk.cells import share_result_headers

        share_result_headers()


class DeskAdminConfig(admin_apps.AdminConfig):
    """Django's admin, with the desk (unfold, grouped by module) as its default site."""

    default = False
    default_site = "lowcode.desk.sites.DeskSite"
