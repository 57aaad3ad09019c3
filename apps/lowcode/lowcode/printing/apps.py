from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrintingConfig(AppConfig):
    name = "lowcode.printing"
    label = "lowcode_printing"
    verbose_name = _("Printing")

    def ready(self) -> None:
        from lowcode.core import registry
        from lowcode.core.fixtures import register_importer
        from lowcode.printing import effects  # noqa: F401  (registers the "print" workflow effect)
        from lowcode.printing.fixtures import letter_head_upsert, print_format_upsert
        from lowcode.printing.models import BulkPrintJob, LetterHead, PrintedDocument, PrintFormat

        registry.register(PrintFormat, name="Print Format", module="Core", natural_key="name", icon="print")
        registry.register(LetterHead, name="Letter Head", module="Core", natural_key="name", icon="article")
        registry.register(
            PrintedDocument,
            name="Printed Document",
            module="Core",
            icon="picture_as_pdf",
            belongs_to=("doctype", "doc_id"),
            large=True,
        )
        registry.register(BulkPrintJob, name="Bulk Print Job", module="Core", icon="print")
        register_importer("Letter Head", letter_head_upsert)
        register_importer("Print Format", print_format_upsert)
