import pytest

from lowcode.core.fixtures import sync_fixtures
from lowcode.core.hooks import override_hooks
from lowcode.core.models import Role
from tests.support import handlers

pytestmark = pytest.mark.django_db

ROLE_KEYS = [
    "12345 Platform",
    "Applicant",
    "Department Liaison",
    "Department Reviewer",
    "Hotline Agent",
    "Issuing Clerk",
    "Supervisor",
    "System Manager",
    "Window Clerk",
]
RECORD = "tests.support.handlers.record"


@pytest.fixture(autouse=True)
def clear_calls() -> None:
    handlers.CALLS.clear()


def test_roles_are_synced_with_chinese_and_english_labels() -> None:
    summary = sync_fixtures()

    assert dict(summary["Role"]) == {"created": 9}
    assert list(Role.objects.order_by("name").values_list("name", flat=True)) == ROLE_KEYS
    clerk = Role.objects.get(name="Window Clerk")
    assert (clerk.label_zh, clerk.label_en, clerk.desk_access, clerk.is_standard) == (
        "综合受理窗口",
        "Window Clerk",
        True,
        True,
    )
    assert Role.objects.get(name="Applicant").desk_access is False


def test_second_sync_changes_nothing(django_capture_on_commit_callbacks) -> None:
    sync_fixtures()
    with override_hooks(doc_events={"Role": {"after_insert": RECORD, "on_update": RECORD}}):
        with django_capture_on_commit_callbacks(execute=True):
            summary = sync_fixtures()

    assert dict(summary["Role"]) == {"unchanged": 9}
    assert handlers.CALLS == []


def test_doc_events_fire_once_per_event(django_capture_on_commit_callbacks) -> None:
    hooks = {"Role": {"before_insert": RECORD, "after_insert": RECORD, "on_update": RECORD}}
    with override_hooks(doc_events=hooks), django_capture_on_commit_callbacks(execute=True):
        sync_fixtures()

    assert sorted(handlers.CALLS) == sorted(
        [("Role", key, "before_insert") for key in ROLE_KEYS] + [("Role", key, "after_insert") for key in ROLE_KEYS]
    )

    handlers.CALLS.clear()
    Role.objects.filter(name="Supervisor").update(label_zh="监察")
    with override_hooks(doc_events=hooks), django_capture_on_commit_callbacks(execute=True):
        summary = sync_fixtures()

    assert dict(summary["Role"]) == {"updated": 1, "unchanged": 8}
    assert handlers.CALLS == [("Role", "Supervisor", "on_update")]
    assert Role.objects.get(name="Supervisor").label_zh == "效能监察"


def test_a_bad_record_rolls_the_whole_sync_back(django_capture_on_commit_callbacks, monkeypatch) -> None:
    from lowcode.core import fixtures

    original = fixtures.load_records
    broken = [{"doctype": "Role", "label_zh": "无键", "label_en": "no key"}]
    monkeypatch.setattr(fixtures, "load_records", lambda name: [*original(name), *broken])
    with override_hooks(doc_events={"Role": {"after_insert": RECORD}}):
        with (
            django_capture_on_commit_callbacks(execute=True),
            pytest.raises(fixtures.FixtureError, match="without a name"),
        ):
            sync_fixtures()

    assert Role.objects.count() == 0
    assert handlers.CALLS == []
