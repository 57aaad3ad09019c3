"""Letter heads: header and footer templates, and a seal image that must really be an image."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from lowcode.printing.context import letter_head_context
from lowcode.printing.models import LetterHead, PrintFormat
from lowcode.printing.services import document_pdf

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), (200, 0, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_seal_must_be_an_image_and_is_inlined_into_the_pdf(django_user_model) -> None:
    user = django_user_model.objects.create_user("printer")
    fake = LetterHead(name="假印章", seal=SimpleUploadedFile("seal.png", b"MZ\x90\x00" + b"\x00" * 100))
    with pytest.raises(ValidationError) as error:
        fake.full_clean()
    assert "seal" in error.value.message_dict
    assert not LetterHead.objects.exists()

    head = LetterHead(
        name="中心", header_html="<b>{{ doc.username }} 的页眉</b>", seal=SimpleUploadedFile("seal.png", _png())
    )
    head.full_clean()
    head.save()
    seal = letter_head_context(head)["seal"]
    assert seal.startswith("data:image/png;base64,")
    print_format = PrintFormat(
        name="带章",
        doctype="User",
        template='<p>{{ doc.username }}</p><img src="{{ letter_head.seal }}">',
        letter_head=head,
    )
    print_format.full_clean()
    print_format.save()
    pdf = document_pdf(print_format, user, user)
    assert b"/Subtype /Image" in pdf or b"/Subtype/Image" in pdf


def test_a_header_that_does_not_compile_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        LetterHead(name="坏页眉", header_html="{% if %}").full_clean()
    assert "header_html" in error.value.message_dict


def test_printing_fetches_nothing_from_the_network_or_the_disk(django_user_model) -> None:
    import http.server
    import threading

    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        user = django_user_model.objects.create_user("reader")
        print_format = PrintFormat(
            name="外链",
            doctype="User",
            template=f'<p>{{{{ doc.username }}}}</p><img src="{url}/seal.png"><img src="file:///etc/passwd">',
            css=f"@import url({url}/style.css); body {{ background: url({url}/bg.png); }}",
        )
        print_format.full_clean()
        pdf = document_pdf(print_format, user, user)
    finally:
        server.shutdown()
    assert pdf.startswith(b"%PDF") and hits == []
