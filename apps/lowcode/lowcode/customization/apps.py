from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomizationConfig(AppConfig):
    name = "lowcode.customization"
    label = "lowcode_customization"
    verbose_name = _("Customization")

    def ready(self) -> None:
        from lowcode.core import definitions, registry
        from lowcode.customization import checks, meta  # noqa: F401  (checks register on import)
        from lowcode.customization.models import CustomField, PropertySetter

        definitions.register(meta.KIND, tables=(CustomField, PropertySetter), load=meta.load)

        registry.register(
            CustomField,
            name="Custom Field",
            module="Core",
            icon="add_box",
            controller="lowcode.customization.services.CustomFieldController",
            field_rules={"set_once": ["doctype", "fieldname"]},
        )
        registry.register(PropertySetter, name="Property Setter", module="Core", icon="tune")
        registry.hide(PropertySetter)  # edited through Customize Form
