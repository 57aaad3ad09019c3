"""work orders: lead and co-units, return limit, outcome, 12345 ticket"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("gov_services", "0016_evaluation_filter_indexes")]

    operations = [
        migrations.AddField(
            model_name="workorder",
            name="explanation",
            field=models.TextField(
                blank=True,
                help_text="Why the order cannot be completed (S000 art. 8); required with that outcome.",
                verbose_name="written explanation",
            ),
        ),
        migrations.AddField(
            model_name="workorder",
            name="hotline_ticket_no",
            field=models.CharField(
                blank=True,
                help_text="The number the 12345 hotline gave the order; required when it came from 12345.",
                max_length=40,
                null=True,
                unique=True,
                verbose_name="12345 ticket number",
            ),
        ),
        migrations.AddField(
            model_name="workorder",
            name="outcome",
            field=models.CharField(
                blank=True,
                choices=[("completed", "Completed"), ("cannot_complete", "Cannot be completed")],
                max_length=16,
                verbose_name="outcome",
            ),
        ),
        migrations.AlterField(
            model_name="workorder",
            name="department",
            field=models.ForeignKey(
                blank=True,
                help_text="The unit that handles the order — the lead unit when several departments are involved.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="work_orders",
                to="gov_services.department",
                verbose_name="assigned department",
            ),
        ),
        migrations.CreateModel(
            name="WorkOrderCoUnit",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "department",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="gov_services.department",
                        verbose_name="co-unit",
                    ),
                ),
                (
                    "work_order",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="co_departments",
                        to="gov_services.workorder",
                        verbose_name="work order",
                    ),
                ),
            ],
            options={
                "verbose_name": "co-unit",
                "verbose_name_plural": "co-units",
                "ordering": ["work_order", "id"],
                "constraints": [
                    models.UniqueConstraint(fields=("work_order", "department"), name="work_order_co_unit_unique")
                ],
            },
        ),
    ]
