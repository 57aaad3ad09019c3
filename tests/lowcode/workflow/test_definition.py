"""Unsound workflows are refused when saved, each with its reason."""

import pytest
from django.utils import translation

from lowcode.core.fixtures import sync_fixtures
from lowcode.workflow.definition import validate_definition

pytestmark = pytest.mark.django_db


def _states(*extra):
    return [
        {"name": "new", "is_initial": True},
        {"name": "done", "is_final": True},
        *extra,
    ]


def _t(frm, action, to, roles=("Window Clerk",), **kw):
    return {"from_state": frm, "action": action, "to_state": to, "roles": list(roles), **kw}


@pytest.fixture(autouse=True)
def roles():
    sync_fixtures()
    with translation.override("en"):  # the reasons as an English-speaking administrator reads them
        yield


def test_a_sound_workflow_passes() -> None:
    assert validate_definition("Handover", "status", _states(), [_t("new", "finish", "done")]) == []


@pytest.mark.parametrize(
    ("states", "transitions", "reason"),
    [
        (
            _states({"name": "lost"}),
            [_t("new", "finish", "done"), _t("lost", "back", "new")],
            "States that cannot be reached from the initial state: lost",
        ),
        (
            _states({"name": "stuck"}),
            [_t("new", "finish", "done"), _t("new", "park", "stuck")],
            "States with no way out that are not marked final: stuck",
        ),
        (
            _states(),
            [_t("new", "finish", "done", roles=("Astronaut",))],
            "Transition new —finish→ done: unknown roles Astronaut.",
        ),
        (_states(), [_t("new", "finish", "done", roles=())], "Transition new —finish→ done: no role may take it."),
        (
            _states(),
            [_t("new", "finish", "done", condition="doc.status ==")],
            "Transition new —finish→ done: the condition is invalid: unexpected 'end of template' (line 1)",
        ),
        (
            _states(),
            [_t("new", "finish", "done", required_fields=["colour"])],
            "Transition new —finish→ done: required field “colour” does not exist.",
        ),
        (
            _states(),
            [_t("new", "finish", "done", effects=[{"type": "send_fax"}])],
            "new —finish→ done: unknown side effect 'send_fax'",
        ),
        (_states(), [_t("new", "finish", "nowhere")], "Transition new —finish→ nowhere: there is no state “nowhere”."),
        (
            [{"name": "new"}, {"name": "done", "is_final": True}],
            [_t("new", "finish", "done")],
            "Exactly one state is the initial state (now: 0).",
        ),
        (
            _states(),
            [_t("new", "finish", "done"), _t("new", "finish", "done")],
            "Transition new —finish→ done: the action appears twice from the same state.",
        ),
    ],
)
def test_unsound_workflows_are_refused_with_their_reason(states, transitions, reason) -> None:
    errors = validate_definition("Handover", "status", states, transitions)
    assert any(e.startswith(reason) for e in errors), errors


def test_unknown_doctype_and_state_field() -> None:
    assert validate_definition("Spaceship", "status", _states(), []) == ["Unknown DocType “Spaceship”."]
    assert "Handover has no field “phase” to hold the state." in validate_definition(
        "Handover", "phase", _states(), [_t("new", "finish", "done")]
    )
