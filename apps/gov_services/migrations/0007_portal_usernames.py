"""Portal accounts' user names stop being their ID numbers (which others would see as `owner`, `applicant_user`
…); the account still signs in with the ID number (hook `login_name`)."""

import secrets

from django.db import migrations


def opaque_usernames(apps, schema_editor):
    PortalAccount = apps.get_model("gov_services", "PortalAccount")
    User = apps.get_model("auth", "User")
    taken = set(User.objects.values_list("username", flat=True))
    for account in PortalAccount.objects.select_related("user").iterator():
        user = account.user
        if user.username.strip().upper() != account.id_number.strip().upper():
            continue
        candidate = f"u{secrets.token_hex(5)}"
        while candidate in taken:
            candidate = f"u{secrets.token_hex(5)}"
        taken.add(candidate)
        User.objects.filter(pk=user.pk).update(username=candidate)


class Migration(migrations.Migration):
    dependencies = [("gov_services", "0006_view_contact"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(opaque_usernames, migrations.RunPython.noop)]
