import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('lowcode_core', '0004_version'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='LoginEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(db_index=True, verbose_name='at')),
                ('username', models.CharField(blank=True, max_length=150, verbose_name='user name given')),
                ('outcome', models.CharField(choices=[('success', 'Signed in'), ('failure', 'Wrong user name or password'), ('locked', 'Refused: locked after too many failures')], max_length=10, verbose_name='outcome')),
                ('address', models.CharField(max_length=64, verbose_name='client address')),
                ('user_agent', models.CharField(blank=True, max_length=300, verbose_name='browser')),
                ('path', models.CharField(blank=True, max_length=200, verbose_name='login')),
                ('user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='user')),
            ],
            options={
                'verbose_name': 'login event',
                'verbose_name_plural': 'login events',
                'ordering': ['-at', '-id'],
                'indexes': [models.Index(fields=['username', 'at'], name='login_event_user')],
            },
        ),
    ]
