"""What Application and Work Order add to their generated web forms (hooks.py `webform_controllers`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gov_services.gov_services.codes import Channel, ServiceObject
from gov_services.gov_services.doctype.application.models import Application, ApplicationMaterial
from gov_services.gov_services.doctype.application.services import application_create
from gov_services.gov_services.doctype.guide.models import GuideMaterial
from gov_services.gov_services.doctype.licence.models import Licence
from gov_services.gov_services.doctype.matter import ladder
from gov_services.gov_services.doctype.matter.models import Matter
from gov_services.gov_services.doctype.portal_account.models import PortalAccount
from gov_services.gov_services.doctype.work_order.models import WorkOrder
from gov_services.gov_services.doctype.work_order.services import work_order_create
from lowcode.core.documents import save_doc, save_rows
from lowcode.core.files import FILE_LIMIT
from lowcode.webforms.controller import ExtraPage, Unavailable, WebFormController
from lowcode.webforms.forms import upload_field

PERSON_OBJECTS = {ServiceObject.NATURAL_PERSON}
UPLOAD_TYPES = ["application/pdf", "image/png", "image/jpeg"]


def account_of(user: Any) -> PortalAccount | None:
    return PortalAccount.objects.filter(user_id=getattr(user, "pk", None)).first()


def reusable_licences(account: PortalAccount) -> list[Licence]:
    """The holder's licences that are valid today: they replace the materials they prove (S004 art. 13)."""
    today = timezone.localdate()
    return list(
        Licence.objects.filter(holder_id_number=account.id_number, status=Licence.Status.VALID)
        .filter(models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=today))
        .select_related("licence_type")
    )


class ApplicationWebForm(WebFormController):
    """Applying for one matter: the applicant from the account, one upload (or a licence) per material."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        code = self.request.GET.get("matter") or self.request.POST.get("matter") or ""
        self.matter = (
            Matter.objects.filter(implementation_code=code, status=Matter.Status.PUBLISHED)
            .select_related("published_guide", "department")
            .first()
        )
        self.account = account_of(self.user)

    def check(self) -> None:
        if self.matter is None or self.matter.published_guide is None:
            raise Unavailable(_("Choose a matter from the service guides first."))
        if not ladder.accepts_online(self.matter.online_level):  # the site's online-level ladder
            raise Unavailable(_("This matter cannot be applied for online. Please apply at a window of the centre."))
        if self.account is None:
            raise Unavailable(_("Applying online needs a personal or company portal account."))
        objects = set(self.matter.service_objects or [])
        is_person = self.account.account_type == PortalAccount.AccountType.PERSON
        if objects and is_person and not objects & PERSON_OBJECTS:
            raise Unavailable(_("This matter is for companies and organisations, not for natural persons."))
        if objects and not is_person and not objects - PERSON_OBJECTS:
            raise Unavailable(_("This matter is for natural persons, not for companies."))

    def title(self) -> str:
        return _("Apply: %(matter)s") % {"matter": self.matter.name}  # type: ignore[union-attr]

    def hidden(self) -> dict[str, str]:
        return {"matter": self.matter.implementation_code} if self.matter else {}

    def initial(self) -> dict[str, Any]:
        account = self.account
        if account is None:
            return {}
        return {
            "applicant_type": account.account_type,  # read by depends_on conditions, not a form field
            "applicant_name": account.name,
            "phone": account.phone,
            "address": account.address,
            "contact_name": account.contact_name,
        }

    def materials(self) -> list[GuideMaterial]:
        return list(self.matter.published_guide.materials.select_related("licence_type"))  # type: ignore[union-attr]

    def extra_pages(self) -> list[ExtraPage]:
        licences = reusable_licences(self.account) if self.account else []
        fields: dict[str, forms.Field] = {}
        for material in self.materials():
            usable = [
                lic for lic in licences if material.licence_type_id and lic.licence_type_id == material.licence_type_id
            ]
            required = material.necessity == GuideMaterial.Necessity.REQUIRED
            notes = "；".join(x for x in [material.get_form_display(), material.notes] if x)
            fields[f"material_{material.pk}"] = upload_field(
                label=material.name,
                required=required and not usable,
                types=UPLOAD_TYPES,
                limit=FILE_LIMIT,
                help_text=notes,
            )
            if usable:
                licence = usable[0]
                fields[f"licence_{material.pk}"] = forms.BooleanField(
                    label=_("Use my e-licence %(name)s No. %(number)s instead (no upload needed)")
                    % {"name": licence.name, "number": licence.number},
                    required=False,
                    initial=True,
                )
        return [ExtraPage(_("Materials"), fields, _("Upload one file per material: PDF, PNG or JPEG."))]

    def insert(self, values: dict[str, Any]) -> Application:
        account, matter = self.account, self.matter
        if account is None or matter is None:  # check() ran before; a race with an unpublished matter
            raise ValidationError(_("Choose a matter from the service guides first."))
        licences = {lic.licence_type_id: lic for lic in reusable_licences(account)}
        chosen: dict[int, tuple[Any, Licence | None]] = {}
        missing = {}
        for material in self.materials():
            upload = values.get(f"material_{material.pk}")
            licence = licences.get(material.licence_type_id) if values.get(f"licence_{material.pk}") else None
            if not upload and licence is None and material.necessity == GuideMaterial.Necessity.REQUIRED:
                missing[f"material_{material.pk}"] = _("This material is required: upload it or use your e-licence.")
            chosen[material.pk] = (None if licence else upload, licence)
        if missing:
            raise ValidationError(missing)
        application = application_create(
            matter=matter,
            applicant_type=account.account_type,
            applicant_name=account.name,
            id_type=account.id_type,
            id_number=account.id_number,
            phone=values.get("phone") or account.phone,
            contact_name=values.get("contact_name") or account.contact_name,
            address=values.get("address") or account.address,
            applicant_user=self.user,
            channel=Channel.ONLINE,
            remarks=values.get("remarks") or "",
            user=self.user,
        )
        handled = {"applicant_name", "phone", "contact_name", "address", "remarks"}
        extra = {k: v for k, v in values.items() if k in _model_fields(Application) and k not in handled}
        if extra:
            for name, value in extra.items():
                setattr(application, name, value)
            save_doc(application, update_fields=list(extra), user=self.user)
        table = list(application.materials.all())
        given = []
        for row in table:
            upload, licence = chosen.get(row.guide_material_id, (None, None))
            if licence is not None:
                row.licence = licence
            elif upload:
                row.file = upload
            else:
                continue
            row.status = row.Status.SUBMITTED
            given.append(row)
        if given:  # through the application's controller, as the window's and the supplement's rows are
            save_rows(application, ApplicationMaterial, changed=given, table=table, user=self.user)
        return application

    def detail_url(self, doc: models.Model) -> str:
        return reverse("gov_services:my_application", args=[doc.number])  # type: ignore[attr-defined]


class WorkOrderWebForm(WebFormController):
    """Consult, suggest, complain: a work order from the portal, the applicant from the account."""

    def initial(self) -> dict[str, Any]:
        account = account_of(self.user)
        return {"phone": account.phone} if account else {}

    def insert(self, values: dict[str, Any]) -> WorkOrder:
        account = account_of(self.user)
        name = account.name if account else (self.user.get_full_name() or self.user.get_username())
        fields = {k: v for k, v in values.items() if k in _model_fields(WorkOrder)}
        fields.setdefault("phone", account.phone if account else "")
        return work_order_create(
            user=self.user,
            source=WorkOrder.Source.ONLINE,
            applicant_name=name,
            applicant_user=self.user,
            **fields,
        )

    def detail_url(self, doc: models.Model) -> str:
        return reverse("gov_services:my_work_order", args=[doc.number])  # type: ignore[attr-defined]


def _model_fields(model: type[models.Model]) -> set[str]:
    return {f.name for f in model._meta.fields}
