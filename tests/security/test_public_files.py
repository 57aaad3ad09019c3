"""Public files (a guide's blank forms and samples) are checked by content on every surface, stored under the
extension of what they are, and served only as downloads that the browser neither sniffs nor runs."""

from __future__ import annotations

import pytest
from django.contrib import admin as django_admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from django.test import Client, RequestFactory

from gov_services.gov_services.doctype.guide.services import guide_new_version
from gov_services.models import Guide, GuideMaterial
from lowcode.core.documents import save_doc, save_rows
from tests.gov_services.factories import catalogue, make_user

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
HTML = b"<html><script>fetch('/api/method/frappe.auth.get_logged_user')</script></html>"


@pytest.fixture()
def draft(db):
    departments, matters = catalogue()
    liaison = make_user("liaison", "Department Liaison", departments["market"])
    matter = next(m for m in matters if m.department_id == departments["market"].pk)
    guide = guide_new_version(guide=Guide.objects.get(pk=matter.published_guide_id), user=liaison)
    material = guide.materials.order_by("idx", "id").first()
    return {"liaison": liaison, "guide": guide, "material": material}


def test_html_as_a_result_sample_is_refused_and_nothing_is_stored(draft) -> None:
    guide = draft["guide"]
    guide.result_sample = SimpleUploadedFile("evil.html", HTML, content_type="text/html")
    with pytest.raises(Exception) as raised:
        save_doc(guide, update_fields=["result_sample"], user=draft["liaison"])
    assert "result_sample" in raised.value.message_dict
    assert Guide.objects.get(pk=guide.pk).result_sample.name == ""


def test_a_pdf_named_html_is_stored_as_pdf_and_served_as_an_attachment(draft) -> None:
    material = draft["material"]
    material.blank_form = SimpleUploadedFile("p0.html", PDF, content_type="text/html")
    save_rows(draft["guide"], GuideMaterial, changed=[material], table=[material], user=draft["liaison"])
    stored = GuideMaterial.objects.get(pk=material.pk).blank_form
    assert stored.name.endswith(".pdf") and "p0" in stored.name
    response = Client().get(f"/files/{stored.name}")
    assert response.status_code == 200
    assert response["Content-Disposition"] == "attachment"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_desk_form_refuses_html_as_a_result_sample(draft) -> None:
    request = RequestFactory().post("/desk/")
    request.user = draft["liaison"]
    guide = draft["guide"]
    form_class = django_admin.site._registry[Guide].get_form(request, guide, change=True)
    assert "result_sample" in form_class.base_fields
    data = {k: v for k, v in model_to_dict(guide, fields=list(form_class.base_fields)).items() if v is not None}
    data = {k: v for k, v in data.items() if k != "result_sample"}
    files = {"result_sample": SimpleUploadedFile("sample.pdf", HTML, content_type="application/pdf")}
    form = form_class(data, files, instance=Guide.objects.get(pk=guide.pk))
    assert not form.is_valid()
    assert "只接受 PDF" in str(form.errors.get("result_sample")), form.errors
    assert Guide.objects.get(pk=guide.pk).result_sample.name == ""


def test_a_portal_upload_is_kept_under_the_extension_of_what_it_is(db) -> None:
    from gov_services.models import Application
    from tests.gov_services.portal_support import citizen, client_for, material_fields, online_matter

    departments, _ = catalogue()
    clerk = make_user("clerk", "Window Clerk", departments["centre"])
    client = client_for(citizen("11010519491231002", "李四", "13800000001", clerk=clerk))
    url = f"/apply/new?matter={online_matter().implementation_code}"
    page = client.get(url).content.decode()
    data = {"phone": "13812345678", "address": "镇江市京口区", "delivery_method": "pickup"}
    for name in material_fields(page):
        data[name] = SimpleUploadedFile(f"{name}.html", PDF, content_type="text/html")
    assert client.post(url, data).status_code == 302
    names = [m.file.name for m in Application.objects.get().materials.all() if m.file]
    assert names and all(n.endswith(".pdf") for n in names), names
