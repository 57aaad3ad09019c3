"""Applicants' uploads are private files: only those who may read the application get them, never by URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client

from tests.gov_services.factories import PASSWORD, catalogue, make_application, make_user


@pytest.fixture()
def world(db):
    departments, matters = catalogue()
    for name, role, dept in [
        ("clerk", "Window Clerk", "centre"),
        ("reviewer", "Department Reviewer", "market"),
        ("other-reviewer", "Department Reviewer", "planning"),
        ("citizen", "Applicant", None),
        ("stranger", "Applicant", None),
    ]:
        make_user(name, role, departments[dept] if dept else None)
    matter = next(m for m in matters if m.department_id == departments["market"].pk)
    return {"matter": matter}


def _get(username: str | None, url: str):
    client = Client()
    if username:
        assert client.login(username=username, password=PASSWORD)
    return client.get(url)


def test_a_material_file_is_served_only_to_who_may_read_the_application(world, django_user_model) -> None:
    clerk, citizen = django_user_model.objects.get(username="clerk"), django_user_model.objects.get(username="citizen")
    app = make_application(world["matter"], user=clerk, applicant_user=citizen)
    material = app.materials.first()
    content = b"%PDF-1.4 a scanned identity card"
    material.file.save("身份证.pdf", ContentFile(content), save=True)

    assert Path(settings.PRIVATE_FILES_ROOT, material.file.name).read_bytes() == content
    assert not Path(settings.MEDIA_ROOT, material.file.name).exists()
    url = material.file.url
    assert url.startswith("/private/applications/")
    assert _get("clerk", f"/files/{material.file.name}").status_code == 404  # nothing under the public path

    for allowed in ("clerk", "reviewer", "citizen"):
        response = _get(allowed, url)
        assert response.status_code == 200, allowed
        assert b"".join(response.streaming_content) == content
        assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"
    for refused in ("other-reviewer", "stranger"):
        assert _get(refused, url).status_code == 404, refused
    assert _get(None, url).status_code == 302  # to the login
    assert _get("clerk", "/private/applications/2026/11/none.pdf").status_code == 404
    assert _get("clerk", "/private/../site_config.json").status_code == 404
