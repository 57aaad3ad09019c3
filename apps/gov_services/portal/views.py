"""The citizens' portal pages that are not generated web forms: find guides, sign up, my pages, tracking with
supplements, notices, licences and evaluation, the public progress lookup, and work-order follow-ups.

Every read of a record goes through lowcode.core.permissions (a citizen's scope is their own records), and a
record outside it answers 404, the same as one that does not exist."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gov_services.gov_services.codes import ThemeWindow
from gov_services.gov_services.doctype.application.controller import requested_materials
from gov_services.gov_services.doctype.application.models import Application, ApplicationMaterial
from gov_services.gov_services.doctype.evaluation.models import Evaluation
from gov_services.gov_services.doctype.evaluation.services import evaluation_create
from gov_services.gov_services.doctype.licence.models import Licence
from gov_services.gov_services.doctype.matter import ladder
from gov_services.gov_services.doctype.matter.models import Matter
from gov_services.gov_services.doctype.portal_account.services import portal_account_register
from gov_services.gov_services.doctype.work_order.models import WorkOrder, WorkOrderMessage
from gov_services.portal import selectors
from gov_services.portal.forms import EvaluationForm, FollowUpForm, ProgressForm, SignUpForm
from gov_services.portal.webforms import UPLOAD_TYPES, account_of
from lowcode.core import permissions
from lowcode.core.documents import save_rows
from lowcode.core.files import FILE_LIMIT
from lowcode.core.throttle import client_address
from lowcode.portal import cache as portal_cache
from lowcode.printing.models import PrintedDocument
from lowcode.printing.services import document_pdf, format_for
from lowcode.printing.views import pdf_response
from lowcode.webforms.forms import upload_field
from lowcode.webforms.models import WebForm
from lowcode.workflow.engine import WorkflowError, apply_transition

LOOKUPS_PER_WINDOW = 10  # public progress lookups per client address per window
SIGNUPS_PER_WINDOW = 10  # sign-ups per client address per window (probing which ID numbers have accounts)
LOOKUPS_PER_NUMBER = 30  # … and of one application number, from wherever they come
LOOKUP_WINDOW = 600  # seconds


def _web_form(doctype: str) -> WebForm | None:
    return WebForm.objects.filter(doctype=doctype, published=True).first()


def _form_route(doctype: str) -> str | None:
    form = _web_form(doctype)
    return form.route if form else None


def _mine(request: HttpRequest, queryset: Any) -> Any:
    """The signed-in citizen's own records, through the one permission layer."""
    return permissions.scope(request.user, queryset, "read").filter(applicant_user=request.user)


def _one_of_mine(request: HttpRequest, queryset: Any, number: str) -> Any:
    found = _mine(request, queryset).filter(number=number).first()
    if found is None:
        raise Http404  # another person's record looks the same as none
    return found


def home(request: HttpRequest) -> HttpResponse:
    public = portal_cache.cached("home", render=_home_public)
    account = account_of(request.user) if request.user.is_authenticated else None
    return render(request, "gov_services/portal/home.html", {"public": public, "account": account})


def _home_public() -> dict[str, str]:
    """The home page but for the visitor's own line: the same for everyone (lowcode.portal.cache)."""
    context = {
        "themes": ThemeWindow.choices,
        "audiences": selectors.AUDIENCES,
        "departments": _public_departments(),
        "featured": selectors.published_matters()[:8],
        "consult_route": _form_route("Work Order"),
    }
    return {
        "hero": render_to_string("gov_services/portal/_home_hero.html", context),
        "sections": render_to_string("gov_services/portal/_home_sections.html", context),
    }


def guides(request: HttpRequest) -> HttpResponse:
    params = _guides_params({k: request.GET.get(k, "").strip() for k in ("q", "theme", "department", "audience")})
    if params["q"]:  # a search: as many pages as words, rendered each time
        public = _guides_public(params)
    else:
        vary = (params["theme"], params["department"], params["audience"])
        public = portal_cache.cached("guides", *vary, render=lambda: _guides_public(params))
    return render(request, "gov_services/portal/guides.html", {"public": public})


def _guides_params(params: dict[str, str]) -> dict[str, str]:
    """The filters as the page shows them: one spelling each, those it does not offer dropped — so that the
    page is the same for all spellings of one choice, and made-up values cannot fill the cache."""
    return {
        "q": params["q"],
        "theme": params["theme"] if params["theme"] in ThemeWindow.values else "",
        "department": _department_shown(params["department"]),
        "audience": params["audience"] if params["audience"] in selectors.AUDIENCES else "",
    }


def _department_shown(value: str) -> str:
    """The department filter as shown: all ("") without a number; the pk of a department the list offers; "0",
    which finds nothing, for any other number (one without published guides, or none: the same page for each)."""
    if not (value.isascii() and value.isdigit()):
        return ""
    value = value.lstrip("0") or "0"
    return value if value in {str(d["pk"]) for d in _public_departments()} else "0"


def _public_departments() -> list[dict[str, Any]]:
    """The departments that have published guides (pk and name), for the filters and the home's tiles."""
    return portal_cache.cached("departments", render=lambda: list(selectors.published_departments()))


def _guides_public(params: dict[str, str]) -> dict[str, str]:
    context = {
        "matters": selectors.published_matters(**params),
        "params": params,
        "themes": ThemeWindow.choices,
        "audiences": selectors.AUDIENCES,
        "departments": _public_departments(),
    }
    return {"body": render_to_string("gov_services/portal/_guides.html", context)}


def guide(request: HttpRequest, code: str) -> HttpResponse:
    public = portal_cache.cached("guide", code, render=lambda: _guide_public(code))
    return render(request, "gov_services/portal/guide.html", {"public": public})


def _guide_public(code: str) -> dict[str, str]:
    matter = get_object_or_404(
        selectors.published_matter_queryset().select_related("published_guide"), implementation_code=code
    )
    current = matter.published_guide
    route = _form_route("Application")
    can_apply = ladder.accepts_online(matter.online_level) and route is not None
    context = {
        "matter": matter,
        "guide": current,
        # in the guide's own order: the models' default order joins the guide and the matter to sort by them
        "materials": current.materials.select_related("licence_type").order_by("idx", "id"),  # type: ignore[union-attr]
        "fees": current.fees.order_by("idx", "id"),  # type: ignore[union-attr]
        "apply_url": f"{reverse('webforms:new', args=[route])}?matter={matter.implementation_code}"
        if can_apply
        else "",
        "service_objects": ", ".join(str(label) for value, label in _service_object_labels(matter)),
    }
    return {"title": matter.name, "body": render_to_string("gov_services/portal/_guide.html", context)}


def _service_object_labels(matter: Matter) -> list[tuple[str, Any]]:
    from gov_services.gov_services.codes import ServiceObject

    return [(v, ServiceObject(v).label) for v in matter.service_objects or [] if v in ServiceObject.values]


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("gov_services:my")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and _over_limit(f"signup:{_client(request)}", SIGNUPS_PER_WINDOW):
        form.add_error(None, _("Too many sign-ups from this address. Please try again in ten minutes."))
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = portal_account_register(
                account_type=data["account_type"],
                name=data["name"],
                id_number=data["id_number"],
                phone=data["phone"],
                password=data["password"],
                contact_name=data["contact_name"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            login(request, account.user, backend=settings.AUTHENTICATION_BACKENDS[0])
            messages.success(request, _("Your account is ready. You sign in with your ID number."))
            return redirect("gov_services:my")
    return render(request, "gov_services/portal/signup.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def my(request: HttpRequest) -> HttpResponse:
    from lowcode.printing.services import printed_for

    applications = _mine(request, Application.objects.all())
    orders = _mine(request, WorkOrder.objects.all())
    labels = selectors.state_labels(Application)
    return render(
        request,
        "gov_services/portal/my.html",
        {
            "account": account_of(request.user),
            "applications": [
                (a, labels.get(a.status, a.status)) for a in applications.select_related("matter").order_by("-pk")[:50]
            ],
            "work_orders": orders.order_by("-pk")[:50],
            "documents": printed_for(request.user),
            "consult_route": _form_route("Work Order"),
        },
    )


def _my_application(request: HttpRequest, number: str) -> Application:
    return _one_of_mine(request, Application.objects.select_related("matter", "department"), number)


def _supplement_form(application: Application, data: Any = None, files: Any = None) -> Any:
    from django import forms

    rows = requested_materials(application)
    fields = {
        f"row_{m.pk}": upload_field(
            label=m.name, required=True, types=UPLOAD_TYPES, limit=FILE_LIMIT, help_text=m.note or ""
        )
        for m in rows
    }
    form_class = type("SupplementForm", (forms.Form,), fields)
    return form_class(data=data, files=files), rows


@login_required
@require_http_methods(["GET", "POST"])
def my_application(request: HttpRequest, number: str) -> HttpResponse:
    application = _my_application(request, number)
    labels = selectors.state_labels(Application)
    waiting = application.status in selectors.WAITING_FOR_APPLICANT
    supplement_form, supplement_rows = _supplement_form(application) if waiting else (None, [])
    evaluations = list(Evaluation.objects.filter(application=application, evaluator_user=request.user))
    may_evaluate = selectors.decided(application) and not evaluations
    evaluation_form = EvaluationForm() if may_evaluate else None
    status = 200

    if request.method == "POST":
        action = request.POST.get("do")
        if action == "supplement" and waiting:
            supplement_form, supplement_rows = _supplement_form(application, request.POST, request.FILES)
            if supplement_form.is_valid():
                try:
                    _supplement(request, application, supplement_form, supplement_rows)
                except (ValidationError, WorkflowError) as exc:
                    supplement_form.add_error(None, "；".join(getattr(exc, "messages", [str(exc)])))
                else:
                    messages.success(request, _("Your supplement is submitted; the clock runs again."))
                    return redirect(request.path)
            status = 400
        elif action == "evaluate" and may_evaluate:
            evaluation_form = EvaluationForm(request.POST)
            if evaluation_form.is_valid():
                data = evaluation_form.cleaned_data
                account = account_of(request.user)
                evaluation_create(
                    user=request.user,
                    application=application,
                    level=data["level"],
                    text=data["text"],
                    reason=data["reason"],
                    channel=_channel(request),
                    evaluator_name=account.name if account else request.user.get_username(),
                    evaluator_user=request.user,
                )
                messages.success(request, _("Thank you for your evaluation."))
                return redirect(request.path)
            status = 400
        else:
            messages.error(request, _("This can no longer be done; the page shows the current state."))
            return redirect(request.path)

    items = selectors.clocks(application)
    apply_form = _web_form("Application")
    edit_url = (
        reverse("webforms:detail", args=[apply_form.route, application.number])
        if apply_form and application.status in (apply_form.editable_states or [])
        else ""
    )
    return render(
        request,
        "gov_services/portal/application.html",
        {
            "application": application,
            "state": labels.get(application.status, application.status),
            "clocks": items,
            "light": selectors.overall_light(items),
            "timeline": selectors.timeline(application, labels),
            "materials": application.materials.select_related("licence"),
            "notices": PrintedDocument.objects.filter(doctype="Application", doc_id=str(application.pk)).order_by(
                "created_at"
            ),
            "licences": application.licences.filter(status=Licence.Status.VALID),
            "supplement_form": supplement_form,
            "evaluation_form": evaluation_form,
            "evaluations": evaluations,
            "waiting": waiting,
            "edit_url": edit_url,
        },
        status=status,
    )


@transaction.atomic
def _supplement(request: HttpRequest, application: Application, form: Any, rows: list[ApplicationMaterial]) -> None:
    for row in rows:
        row.file = form.cleaned_data[f"row_{row.pk}"]
        row.status = ApplicationMaterial.Status.SUBMITTED
    supplied = {row.pk: row for row in rows}
    table = [supplied.get(row.pk, row) for row in application.materials.all()]
    save_rows(application, ApplicationMaterial, changed=rows, table=table, user=request.user)
    action = "resubmit" if application.status == Application.Status.ONE_TIME_NOTICE else "supplemented"
    apply_transition(application, action, request.user, comment=_("Supplemented online by the applicant."))


def _channel(request: HttpRequest) -> str:
    agent = request.headers.get("User-Agent", "")
    return Evaluation.Channel.MOBILE if "Mobile" in agent or "Android" in agent else Evaluation.Channel.PC


@login_required
def licence_pdf(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    application = _my_application(request, number)
    licence = get_object_or_404(application.licences.filter(status=Licence.Status.VALID), pk=pk)
    if licence.pdf:
        return FileResponse(licence.pdf.open("rb"), content_type="application/pdf", filename=f"{licence.number}.pdf")
    pdf = document_pdf(format_for(Licence), licence, request.user)
    return pdf_response(pdf, f"{licence.name}-{licence.number}.pdf", inline=False)


def _client(request: HttpRequest) -> str:
    return client_address(request)  # behind the reverse proxy, each citizen's own address


def _over_limit(key: str, allowance: int = LOOKUPS_PER_WINDOW) -> bool:
    """Count one lookup for this key in the current window; True once the window's allowance is used up."""
    cache.add(key, 0, LOOKUP_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, LOOKUP_WINDOW)
        count = 1
    return count > allowance


@require_http_methods(["GET", "POST"])
def progress(request: HttpRequest) -> HttpResponse:
    """Anyone may look up an application's progress with its number and the phone number given with it."""
    form = ProgressForm(request.POST or None)
    context: dict[str, Any] = {"form": form}
    status = 200
    if request.method == "POST":
        number = str(request.POST.get("number", "")).strip().upper()[:40]
        # per client address, and per application number (guessing one number's phone from many addresses)
        if _over_limit(f"progress-lookup:{_client(request)}") or _over_limit(
            f"progress-lookup:number:{number}", LOOKUPS_PER_NUMBER
        ):
            context["error"] = _("Too many lookups. Please try again in ten minutes.")
            return render(request, "gov_services/portal/progress.html", context, status=429)
        if form.is_valid():
            found = selectors.progress_of(form.cleaned_data["number"], form.cleaned_data["phone"])
            if found is None:
                context["error"] = _("No application matches this number and phone number.")
                status = 404
            else:
                labels = selectors.state_labels(Application)
                context.update(
                    found=found,
                    applicant=selectors.mask_name(found.applicant_name),
                    state=labels.get(found.status, found.status),
                    timeline=selectors.timeline(found, labels, with_comments=False),
                    clocks=selectors.clocks(found),
                )
        else:
            status = 400
    return render(request, "gov_services/portal/progress.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def my_work_order(request: HttpRequest, number: str) -> HttpResponse:
    order = _one_of_mine(request, WorkOrder.objects.select_related("department", "matter"), number)
    closed = order.status == WorkOrder.Status.CLOSED
    form = None if closed else FollowUpForm(request.POST or None)
    if request.method == "POST":
        if form is None:
            messages.error(request, _("This work order is closed."))
            return redirect(request.path)
        if form.is_valid():
            WorkOrderMessage.objects.create(
                work_order=order,
                author=request.user,
                from_applicant=True,
                text=form.cleaned_data["text"],
                at=timezone.now(),
            )
            messages.success(request, _("Your follow-up is sent to the unit handling it."))
            return redirect(request.path)
    labels = selectors.state_labels(WorkOrder)
    return render(
        request,
        "gov_services/portal/work_order.html",
        {
            "order": order,
            "state": labels.get(order.status, order.get_status_display()),
            "messages_list": order.messages.all(),
            "form": form,
        },
        status=400 if form is not None and form.errors else 200,
    )
