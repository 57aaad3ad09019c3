"""Citizens for portal tests, made the way the portal makes them: sign-up, then a clerk's real-name check."""

from __future__ import annotations

import re
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gov_services.gov_services.doctype.portal_account.services import portal_account_register, portal_account_set_level
from gov_services.models import Matter, PortalAccount
from tests.gov_services.factories import PASSWORD, resident_id

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def citizen(first17: str, name: str, phone: str, *, level: int = 2, clerk: Any = None) -> PortalAccount:
    account = portal_account_register(
        account_type="person", name=name, id_number=resident_id(first17), phone=phone, password=PASSWORD
    )
    if level:
        portal_account_set_level(account=account, level=level, method="窗口核验居民身份证原件", user=clerk)
    return account


def client_for(account: PortalAccount, **extra: Any) -> Client:
    client = Client(**extra)
    assert client.login(username=account.id_number, password=PASSWORD)
    return client


def online_matter() -> Matter:
    return Matter.objects.filter(name="食品经营许可（新办）").get()


def material_fields(html: str) -> list[str]:
    return re.findall(r'name="(material_\d+)"', html)


def apply_data(html: str, **files: bytes) -> dict[str, Any]:
    data: dict[str, Any] = {"phone": "13812345678", "address": "镇江市京口区", "delivery_method": "pickup"}
    for name in material_fields(html):
        content = files.get(name, PDF)
        data[name] = SimpleUploadedFile(f"{name}.pdf", content, content_type="application/pdf")
    return data
