"""Benchmark data (`bench --site NAME make-benchmark-data --applications 1000000`), reused by every benchmark.

Applications numbered "BM" + 10 digits over the demo catalogue of matters, submitted over the past year,
with valid resident ID numbers; `open_fraction` of them are accepted and under review with a running
promised-limit deadline computed on the site's calendar, the rest are archived. Rows are written with bulk
INSERTs in batches — the point is volume, and what they hold is what the services would have written (the
applicants' names in the search index included).
Running it again tops the set up to the number asked for; it never duplicates.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from gov_services.demo import _departments, _licence_types, _matters
from gov_services.gov_services.codes import Channel, IdType
from gov_services.gov_services.identifiers import resident_id_check_char
from gov_services.models import Application, Matter
from lowcode.core import search
from lowcode.core.fixtures import sync_fixtures
from lowcode.core.models import SearchToken
from lowcode.deadlines.models import Deadline, DeadlinePolicy
from lowcode.deadlines.selectors import snapshot_of
from lowcode.deadlines.services import build, policy_calendar

PREFIX = "BM"
BATCH = 5000
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英", "建国", "丽华"]


def make(
    *,
    applications: int = 0,
    open_fraction: float = 0.3,
    seed: int = 7,
    progress: Callable[[str], None] | None = None,
    **_: Any,
) -> dict[str, int]:
    if not 0 <= open_fraction <= 1:
        raise ValueError("open_fraction is between 0 and 1")
    matters = _catalogue()
    existing = Application.objects.filter(number__startswith=PREFIX).count()
    wanted = max(0, applications - existing)
    policy = DeadlinePolicy.objects.get(name="application_promised_limit")
    stored = policy_calendar(policy)
    cal = snapshot_of(stored)
    rng = random.Random(seed + existing)  # noqa: S311  (reproducible volume, not secrets)
    now = timezone.now()
    made_apps = made_deadlines = 0
    for offset in range(0, wanted, BATCH):
        count = min(BATCH, wanted - offset)
        rows = [_application(existing + offset + i + 1, matters, rng, now, open_fraction) for i in range(count)]
        with transaction.atomic():
            Application.objects.bulk_create(rows, batch_size=1000)
            ids = dict(Application.objects.filter(number__in=[a.number for a in rows]).values_list("number", "pk"))
            for app in rows:
                app.pk = ids[app.number]
            SearchToken.objects.bulk_create(search.bulk_rows(Application, rows), batch_size=5000)
            opened = [a for a in rows if a.status == Application.Status.UNDER_REVIEW]
            deadlines = [build(policy, app, app.accepted_at, stored=stored, cal=cal) for app in opened]
            Deadline.objects.bulk_create(deadlines, batch_size=1000)
        made_apps += count
        made_deadlines += len(deadlines)
        if progress and (offset // BATCH % 10 == 9 or offset + count == wanted):
            progress(f"{existing + offset + count:,} benchmark applications")
    return {
        "applications made": made_apps,
        "deadlines made": made_deadlines,
        "applications in all": existing + made_apps,
    }


def _catalogue() -> list[Matter]:
    sync_fixtures()
    departments = _departments()
    ids = [m.pk for m in _matters(departments, _licence_types(departments)) if m.published_guide_id]
    return list(Matter.objects.filter(pk__in=ids).select_related("department").order_by("pk"))


def _application(n: int, matters: list[Matter], rng: random.Random, now: datetime, open_fraction: float) -> Application:
    matter = matters[n % len(matters)]
    opened = rng.random() < open_fraction
    if opened:  # accepted within the last 20 days, still under review
        submitted = now - timedelta(days=rng.uniform(0.2, 20))
    else:
        submitted = now - timedelta(days=rng.uniform(20, 365))
    born = datetime(1950 + rng.randrange(55), 1 + rng.randrange(12), 1 + rng.randrange(28))  # noqa: DTZ001
    first17 = f"321102{born:%Y%m%d}{n % 1000:03d}"
    accepted = submitted + timedelta(hours=2)
    app = Application(
        number=f"{PREFIX}{n:010d}",
        matter_id=matter.pk,
        guide_id=matter.published_guide_id,
        department_id=matter.department_id,
        applicant_type=Application.ApplicantType.PERSON,
        applicant_name=rng.choice(SURNAMES) + rng.choice(GIVEN),
        id_type=IdType.RESIDENT_ID,
        id_number=first17 + resident_id_check_char(first17),
        phone=f"139{rng.randrange(10**8):08d}",
        channel=rng.choice([Channel.ONLINE, Channel.WINDOW, Channel.WINDOW]),
        submitted_at=submitted,
        accepted_at=accepted,
        status=Application.Status.UNDER_REVIEW if opened else Application.Status.ARCHIVED,
    )
    if not opened:
        app.decided_at = accepted + timedelta(days=3)
        app.completed_at = app.decided_at + timedelta(days=1)
        app.archived_at = app.completed_at + timedelta(hours=20)
        app.delivery_method = Application.Delivery.PICKUP
        app.decision_reason = "经审查，申请材料齐全、符合法定形式，符合法定条件。"
    app.matter, app.department = matter, matter.department  # loaded once: no query per row
    return app
