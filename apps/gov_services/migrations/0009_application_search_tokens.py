"""The n-gram search tokens of the applications a site already has (lowcode.core.search), so that a name search
finds them after the upgrade as it finds new ones."""

from django.db import migrations

from lowcode.core.search import tokens

FIELDS = ("applicant_name", "contact_name")
BATCH = 2000


def build(apps, schema_editor):
    Application = apps.get_model("gov_services", "Application")
    SearchToken = apps.get_model("lowcode_core", "SearchToken")
    SearchToken.objects.filter(doctype="Application").delete()
    last = 0
    while True:
        rows = list(Application.objects.filter(pk__gt=last).order_by("pk").values_list("pk", *FIELDS)[:BATCH])
        if not rows:
            return
        made = []
        for pk, *names in rows:
            found = set()
            for name in names:
                found |= tokens(name or "")
            made += [SearchToken(doctype="Application", token=t, doc_id=pk) for t in sorted(found)]
        SearchToken.objects.bulk_create(made, batch_size=5000)
        last = rows[-1][0]


def drop(apps, schema_editor):
    apps.get_model("lowcode_core", "SearchToken").objects.filter(doctype="Application").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("gov_services", "0008_list_indexes"),
        ("lowcode_core", "0006_search_tokens_modified_index"),
    ]

    operations = [migrations.RunPython(build, drop)]
