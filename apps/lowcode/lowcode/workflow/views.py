"""Desk endpoint that applies a workflow action (or records a joint approval) from a record's form."""

from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lowcode.core import permissions
from lowcode.workflow import engine

APPROVE = "__approve__"


@require_POST
@staff_member_required(login_url="admin:login")
def apply_view(request: HttpRequest, app_label: str, model_name: str, pk: str) -> HttpResponse:
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        raise Http404 from None
    doc = permissions.scope(request.user, model._default_manager.all(), "read").filter(pk=pk).first()
    if doc is None:
        raise Http404
    workflow = engine.workflow_for(model)
    action = request.POST.get("action", "")
    comment = request.POST.get("comment", "")
    try:
        if action == APPROVE:
            engine.record_approval(doc, request.user, comment)
            messages.success(request, _("Your approval is recorded."))
        else:
            if workflow is not None and request.POST.get("state_seen") is not None:
                setattr(doc, workflow.state_field, request.POST["state_seen"])  # what the user saw when deciding
            engine.apply_transition(doc, action, request.user, comment=comment)
            messages.success(request, _("Done."))
    except engine.WorkflowError as exc:
        messages.error(request, str(exc))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse(f"admin:{app_label}_{model_name}_change", args=[pk])
    return redirect(back)
