from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _

# Each DocType's meta.py holds its low-code metadata; these are registered with lowcode at start-up.
DOCTYPE_METAS = [
    ("department", "DOCTYPE"),
    ("staff", "DOCTYPE"),
    ("matter", "DOCTYPE"),
    ("matter", "ONLINE_LEVEL_CHANGE"),
    ("matter", "ONLINE_LEVEL"),
    ("guide", "DOCTYPE"),
    ("licence", "DOCTYPE"),
    ("licence", "LICENCE_TYPE"),
    ("application", "DOCTYPE"),
    ("work_order", "DOCTYPE"),
    ("handover", "DOCTYPE"),
    ("evaluation", "DOCTYPE"),
    ("evaluation", "SCALE"),
    ("special_procedure", "DOCTYPE"),
    ("joint_review_opinion", "DOCTYPE"),
    ("knowledge_article", "DOCTYPE"),
    ("portal_account", "DOCTYPE"),
]


class GovServicesConfig(AppConfig):
    name = "gov_services"
    label = "gov_services"
    verbose_name = _("Government services")

    def ready(self) -> None:
        from importlib import import_module

        from gov_services.gov_services.doctype.evaluation.services import scale_upsert
        from gov_services.gov_services.doctype.matter import ladder
        from gov_services.gov_services.doctype.matter.services import online_level_upsert
        from lowcode.core import registry
        from lowcode.core.fixtures import register_importer

        register_importer("Evaluation Scale", scale_upsert)
        register_importer("Online Level", online_level_upsert)
        ladder.register()
        for folder, attr in DOCTYPE_METAS:
            meta = dict(getattr(import_module(f"gov_services.gov_services.doctype.{folder}.meta"), attr))
            model = apps.get_model(meta.pop("model"))
            registry.register(model, **meta)
