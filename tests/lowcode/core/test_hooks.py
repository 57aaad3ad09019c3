from lowcode.core.hooks import _merge, get_hooks, override_hooks


def test_lists_concatenate_and_dicts_merge_across_apps() -> None:
    merged: dict = {}
    _merge(merged, {"fixtures": ["Role"], "doc_events": {"Role": {"on_update": "a.b"}}, "app_name": "one"})
    _merge(merged, {"fixtures": ["Workflow"], "doc_events": {"Role": {"on_update": ["c.d"]}}, "app_name": "two"})

    assert merged == {
        "fixtures": ["Role", "Workflow"],
        "doc_events": {"Role": {"on_update": ["a.b", "c.d"]}},
        "app_name": ["one", "two"],
    }


def test_installed_apps_hooks_are_read_in_app_order() -> None:
    assert get_hooks("app_name") == ["lowcode", "gov_services"]
    assert get_hooks("fixtures")[0] == "Role"
    assert get_hooks("scheduler_events")["daily"] == [
        "lowcode.scheduler.tasks.clear_expired_sessions",
        "lowcode.scheduler.tasks.prune_job_logs",
    ]


def test_override_hooks_adds_for_the_block_only() -> None:
    before = get_hooks("doc_events", {})
    with override_hooks(doc_events={"Role": {"after_insert": ["x.y"]}}):
        assert get_hooks("doc_events")["Role"]["after_insert"][-1] == "x.y"
    assert get_hooks("doc_events", {}) == before
