from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "lowcode.workflow"
    label = "lowcode_workflow"
    verbose_name = _("Workflow")

    def ready(self) -> None:
        from lowcode.core import registry
        from lowcode.core.controller import register_field_owner
        from lowcode.core.fixtures import register_importer
        from lowcode.workflow import active, checks, effects  # noqa: F401  (registers checks and the built-in effects)
        from lowcode.workflow.fixtures import workflow_upsert
        from lowcode.workflow.models import Workflow, WorkflowAction
        from lowcode.workflow.ownership import owned_fields

        registry.register(Workflow, name="Workflow", module="Core", natural_key="name", icon="account_tree")
        registry.register(
            WorkflowAction,
            name="Workflow Action",
            module="Core",
            icon="history",
            belongs_to=("doctype", "doc_id"),
            large=True,
            changes_field="changed",
        )
        register_importer("Workflow", workflow_upsert)
        register_field_owner(owned_fields)
        active.connect()  # the active workflows, cached per process and checked once per request
