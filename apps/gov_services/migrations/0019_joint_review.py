"""Serial and parallel joint review: a matter's co-departments get an order and working days each (the
many-to-many's own table, its rows kept), and each co-department's opinion in a joint review is a record. The
online-level ladder as data (its shipped rungs come with the fixtures that `migrate` syncs)."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

import gov_services.gov_services.doctype.matter.models
import lowcode.core.files


def number_co_departments(apps, schema_editor):
    """Existing co-departments in the order they were given (their rows' ids), 1, 2, … per matter."""
    rows = apps.get_model("gov_services", "MatterCoDepartment").objects.order_by("matter_id", "id")
    last, n, changed = None, 0, []
    for row in rows:
        n = n + 1 if row.matter_id == last else 1
        last = row.matter_id
        if row.idx != n:
            row.idx = n
            changed.append(row)
    if changed:
        rows.model.objects.bulk_update(changed, ["idx"])


def ask_running_joint_reviews(apps, schema_editor):
    """An application already in joint review keeps it: each co-department gets its opinion — agreed where its
    department approved in the state's current round of joint approval (with that approval's words, by whom and
    when), open for the rest (serial: the first not yet agreed; parallel: all). Their clocks start with the next
    step taken; the lead finishes the review once all have answered, as for a review started from now on."""
    Application = apps.get_model("gov_services", "Application")
    Opinion = apps.get_model("gov_services", "JointReviewOpinion")
    Steps = apps.get_model("gov_services", "MatterCoDepartment")
    Approval = apps.get_model("lowcode_workflow", "WorkflowApproval")
    now = timezone.now()
    for app in Application.objects.filter(status="joint_review").select_related("matter"):
        order = {s.department_id: (s.idx, s.review_days) for s in Steps.objects.filter(matter_id=app.matter_id)}
        departments = sorted(app.co_departments.all(), key=lambda d: (order.get(d.pk, (10**4, 5))[0], d.name))
        approvals = Approval.objects.filter(doctype="Application", doc_id=str(app.pk), state="joint_review")
        last = max([a.round for a in approvals] or [0])
        agreed = {int(a.group): a for a in approvals if a.round == last and a.group.isdigit()}
        serial = app.matter.joint_mode == "serial"
        opened = False
        for n, department in enumerate(departments, start=1):
            approval = agreed.get(department.pk)
            status = "agreed" if approval else ("waiting" if serial and opened else "reviewing")
            opened = opened or status == "reviewing"
            Opinion.objects.create(
                application=app,
                department=department,
                lead_department_id=app.department_id,
                mode=app.matter.joint_mode or "parallel",
                round=1,
                step=n if serial else 1,
                review_days=order.get(department.pk, (0, 5))[1],
                status=status,
                opened_at=now if status == "reviewing" else (approval.at if approval else None),
                opinion=(approval.comment or "同意（升级前的会签）") if approval else "",
                answered_at=approval.at if approval else None,
                answered_by_id=approval.user_id if approval else None,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("gov_services", "0018_delivery_receipt_locker"),
        ("lowcode_workflow", "0003_alter_workflow_modified_at"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The plain many-to-many becomes one through a model of its own table: only Django's state changes.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="MatterCoDepartment",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "department",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="gov_services.department",
                                verbose_name="co-department",
                            ),
                        ),
                        (
                            "matter",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="co_steps",
                                to="gov_services.matter",
                                verbose_name="matter",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "co-department",
                        "verbose_name_plural": "co-departments",
                        "db_table": "gov_services_matter_co_departments",
                        "ordering": ["matter", "id"],
                        "unique_together": {("matter", "department")},
                    },
                ),
                migrations.AlterField(
                    model_name="matter",
                    name="co_departments",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="co_matters",
                        through="gov_services.MatterCoDepartment",
                        to="gov_services.department",
                        verbose_name="co-departments",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="mattercodepartment",
            name="idx",
            field=models.PositiveSmallIntegerField(
                default=0,
                help_text="In a serial review the file passes in this order; parallel: all at once.",
                verbose_name="order",
            ),
        ),
        migrations.AddField(
            model_name="mattercodepartment",
            name="review_days",
            field=models.PositiveSmallIntegerField(
                default=5,
                validators=[django.core.validators.MinValueValidator(1)],
                verbose_name="working days for its opinion",
            ),
        ),
        migrations.AlterModelOptions(
            name="mattercodepartment",
            options={
                "ordering": ["matter", "idx", "id"],
                "verbose_name": "co-department",
                "verbose_name_plural": "co-departments",
            },
        ),
        migrations.RunPython(number_co_departments, migrations.RunPython.noop),
        migrations.CreateModel(
            name="JointReviewOpinion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="created at")),
                ("modified_at", models.DateTimeField(auto_now=True, db_index=True, verbose_name="modified at")),
                (
                    "custom",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        editable=False,
                        help_text="Values of the custom fields.",
                        verbose_name="custom fields",
                    ),
                ),
                (
                    "mode",
                    models.CharField(
                        choices=[("", "Not joint"), ("serial", "Serial (前后置)"), ("parallel", "Parallel (并联)")],
                        max_length=10,
                        verbose_name="joint handling",
                    ),
                ),
                ("round", models.PositiveSmallIntegerField(default=1, verbose_name="round")),
                ("step", models.PositiveSmallIntegerField(default=1, verbose_name="step")),
                (
                    "review_days",
                    models.PositiveSmallIntegerField(default=5, verbose_name="working days for its opinion"),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("waiting", "Waiting for the departments before it"),
                            ("reviewing", "Under review"),
                            ("agreed", "Agreed"),
                            ("disagreed", "Disagreed"),
                            ("withdrawn", "Withdrawn"),
                        ],
                        default="waiting",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("opened_at", models.DateTimeField(blank=True, null=True, verbose_name="opened at")),
                ("opinion", models.TextField(blank=True, verbose_name="opinion")),
                (
                    "attachment",
                    models.FileField(
                        blank=True,
                        storage=lowcode.core.files.private_storage,
                        upload_to="joint_reviews/%Y/%m/",
                        verbose_name="attachment",
                    ),
                ),
                ("answered_at", models.DateTimeField(blank=True, null=True, verbose_name="answered at")),
                (
                    "answered_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="answered by",
                    ),
                ),
                (
                    "application",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="joint_opinions",
                        to="gov_services.application",
                        verbose_name="application",
                    ),
                ),
                (
                    "department",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="gov_services.department",
                        verbose_name="co-department",
                    ),
                ),
                (
                    "lead_department",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="gov_services.department",
                        verbose_name="lead department",
                    ),
                ),
                (
                    "modified_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="modified by",
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="created by",
                    ),
                ),
            ],
            options={
                "verbose_name": "joint review opinion",
                "verbose_name_plural": "joint review opinions",
                "ordering": ["application", "round", "step", "id"],
                "abstract": False,
                "default_permissions": ("add", "change", "delete", "view", "export", "import", "print"),
                "indexes": [
                    models.Index(fields=["application", "status"], name="joint_opinion_open"),
                    models.Index(fields=["department", "status"], name="joint_opinion_department"),
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("application", "round", "department"), name="joint_opinion_once"),
                ],
            },
        ),
        migrations.RunPython(ask_running_joint_reviews, migrations.RunPython.noop),
        migrations.CreateModel(
            name="OnlineLevelRule",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="created at")),
                ("modified_at", models.DateTimeField(auto_now=True, db_index=True, verbose_name="modified at")),
                (
                    "custom",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        editable=False,
                        help_text="Values of the custom fields.",
                        verbose_name="custom fields",
                    ),
                ),
                (
                    "level",
                    models.PositiveSmallIntegerField(
                        unique=True, validators=[django.core.validators.MinValueValidator(1)], verbose_name="level"
                    ),
                ),
                ("label_zh", models.CharField(max_length=50, verbose_name="label (Chinese)")),
                ("label_en", models.CharField(blank=True, max_length=50, verbose_name="label (English)")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                (
                    "accepts_online",
                    models.BooleanField(
                        default=True,
                        help_text="The portal offers the online application.",
                        verbose_name="applied for online",
                    ),
                ),
                (
                    "clocks",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="Deadline policies of an online application that apply at this level (their "
                        "conditions read doc.online_clocks), e.g. application_sign_for.",
                        validators=[gov_services.gov_services.doctype.matter.models._validate_policy_names],
                        verbose_name="time limits it starts",
                    ),
                ),
                (
                    "raise_needs_approval",
                    models.BooleanField(
                        default=False,
                        help_text="Moving a matter from this level to a higher-numbered one needs an approved online "
                        "level change.",
                        verbose_name="moving up needs approval",
                    ),
                ),
                (
                    "approval_by",
                    models.CharField(
                        blank=True,
                        help_text="Whose approval the change needs, as the regulation names them (recorded by "
                        "document number).",
                        max_length=200,
                        verbose_name="approved by",
                    ),
                ),
                (
                    "approver_role",
                    models.CharField(
                        blank=True,
                        help_text="e.g. Supervisor",
                        max_length=100,
                        verbose_name="role that records the approval",
                    ),
                ),
                (
                    "modified_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="modified by",
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="created by",
                    ),
                ),
            ],
            options={
                "verbose_name": "online level",
                "verbose_name_plural": "online levels",
                "ordering": ["level"],
                "abstract": False,
                "default_permissions": ("add", "change", "delete", "view", "export", "import", "print"),
            },
        ),
    ]
