"""Human-readable numbers from naming series stay unique when many clerks create at once."""

from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from django.db import close_old_connections

from gov_services.models import Application
from lowcode.core.naming import make_name
from tests.gov_services.factories import catalogue, make_application


@pytest.mark.django_db
def test_series_pattern_and_sequence() -> None:
    day = date(2026, 3, 2)
    assert [make_name("BJ.YYYY.MM.DD.######", day) for _ in range(3)] == [
        "BJ20260302000001",
        "BJ20260302000002",
        "BJ20260302000003",
    ]
    assert make_name("BJ.YYYY.MM.DD.######", date(2026, 3, 3)) == "BJ20260303000001"  # a new day, a new count
    assert make_name("GD-.YY.-.####", day) == "GD-26-0001"


@pytest.mark.django_db(transaction=True)
def test_concurrent_applications_get_distinct_consecutive_numbers() -> None:
    _, matters = catalogue()
    matter = matters[0]
    workers, per_worker = 8, 6

    def create(n: int) -> list[str]:
        try:
            return [make_application(matter, applicant_name=f"申请人{n}-{i}").number for i in range(per_worker)]
        finally:
            close_old_connections()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        numbers = [number for batch in pool.map(create, range(workers)) for number in batch]

    assert len(numbers) == workers * per_worker
    assert len(set(numbers)) == workers * per_worker
    counters = sorted(int(n[-6:]) for n in numbers)
    assert counters == list(range(1, workers * per_worker + 1))
    assert Application.objects.count() == workers * per_worker
