"""A notice goes with its transition: a transition the DocType's controller refuses renders and stores nothing, and
one that fails after its notice was stored takes the PDF with it — the rows roll back, and so does the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from gov_services.gov_services.doctype.application.controller import MATERIALS_INCOMPLETE
from gov_services.models import Application
from lowcode.printing.models import PrintedDocument, PrintFormat
from lowcode.workflow import engine
from lowcode.workflow.models import WorkflowAction, WorkflowTransition
from tests.gov_services.factories import catalogue, make_application, make_user


@pytest.fixture()
def world(db):
    departments, matters = catalogue()
    clerk = make_user("clerk", "Window Clerk", departments["centre"])
    matter = next(m for m in matters if m.department_id == departments["market"].pk)
    with translation.override("zh-hans"):
        yield {"clerk": clerk, "matter": matter}


def notices() -> set[str]:
    """The issued PDFs on disk (private storage, printed/…)."""
    root = Path(settings.PRIVATE_FILES_ROOT, "printed")
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def snapshot(app: Application) -> dict:
    return Application.objects.filter(pk=app.pk).values().get()


def test_an_acceptance_the_controller_refuses_leaves_no_notice_on_disk(world) -> None:
    app = make_application(world["matter"], user=world["clerk"], materials_received=False)
    stored, before = notices(), snapshot(app)

    with pytest.raises(engine.WorkflowError) as refused:
        engine.apply_transition(app, "accept", world["clerk"])

    assert refused.value.code == MATERIALS_INCOMPLETE
    assert notices() == stored
    assert not PrintedDocument.objects.filter(doctype="Application", doc_id=str(app.pk)).exists()
    assert not WorkflowAction.objects.filter(doctype="Application", doc_id=str(app.pk)).exists()
    assert snapshot(app) == before


def test_a_transition_failing_after_its_notice_was_stored_deletes_the_pdf(world) -> None:
    accept = WorkflowTransition.objects.get(workflow__doctype="Application", from_state="submitted", action="accept")
    # a second notice after the acceptance notice, whose template fails when rendered
    accept.effects = [*accept.effects, {"type": "print", "format": "一次性告知单"}]
    accept.save(update_fields=["effects"])
    PrintFormat.objects.filter(name="一次性告知单").update(template="{{ doc.number.nothing.deeper }}")
    app = make_application(world["matter"], user=world["clerk"])
    stored, before = notices(), snapshot(app)

    with pytest.raises(engine.WorkflowError) as refused:
        engine.apply_transition(app, "accept", world["clerk"])

    assert "一次性告知单" in str(refused.value)
    assert notices() == stored  # the 受理承诺单 rendered and stored first went with the rollback
    assert not PrintedDocument.objects.filter(doctype="Application", doc_id=str(app.pk)).exists()
    assert snapshot(app) == before


def test_an_accepted_application_keeps_its_notice_on_disk(world) -> None:
    app = make_application(world["matter"], user=world["clerk"])
    stored = notices()

    app = engine.apply_transition(app, "accept", world["clerk"])

    issued = PrintedDocument.objects.get(doctype="Application", doc_id=str(app.pk))
    assert notices() - stored == {issued.file.name.removeprefix("printed/")}
    assert (issued.action, issued.print_format.name) == ("accept", "受理承诺单")
    assert Application.objects.get(pk=app.pk).status == "accepted"
