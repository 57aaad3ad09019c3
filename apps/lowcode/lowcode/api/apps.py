from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "lowcode.api"
    label = "lowcode_api"
    verbose_name = _("API")

    def ready(self) -> None:
        from lowcode.api import methods  # noqa: F401  (registers the standard whitelisted methods)
        from lowcode.api import registry as api_methods
        from lowcode.api.models import ApiCredential
        from lowcode.core import registry
        from lowcode.core.hooks import get_hooks

        api_methods.load(get_hooks("api_methods", []))

        registry.register(ApiCredential, name="API Key", module="Core", icon="key")
        registry.hide(ApiCredential)  # keys are generated from the user list, never typed or shown again
