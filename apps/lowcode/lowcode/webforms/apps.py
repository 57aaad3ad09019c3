from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebFormsConfig(AppConfig):
    name = "lowcode.webforms"
    label = "lowcode_webforms"
    verbose_name = _("Web forms")

    def ready(self) -> None:
        from lowcode.core import registry
        from lowcode.core.fixtures import register_importer
        from lowcode.webforms.fixtures import web_form_upsert
        from lowcode.webforms.models import WebForm

        registry.register(WebForm, name="Web Form", module="Core", natural_key="route", icon="dynamic_form")
        register_importer("Web Form", web_form_upsert)
