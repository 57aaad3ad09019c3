"""The standard whitelisted methods, under the paths Frappe clients call."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from django.contrib.auth import authenticate, login, logout
from django.core.files.base import ContentFile
from django.http import HttpRequest
from django.middleware.csrf import get_token

from lowcode.api.errors import ApiError, forbidden, not_found
from lowcode.api.registry import whitelist
from lowcode.api.resources import (
    by_name,
    doctype_of,
    filters_q,
    json_param,
    lookup_path,
    name_lookup_allowed,
    to_dict,
    with_custom,
)
from lowcode.api.views import count, create, find_doc, list_rows, remove, update
from lowcode.core import permissions
from lowcode.core.files import EXTENSIONS, FILE_LIMIT, sniff
from lowcode.core.throttle import LoginLocked


@whitelist(allow_guest=True, methods=("POST",), path="login")
def login_(*, request: HttpRequest, user: Any, usr: str = "", pwd: str = "") -> str:
    found = authenticate(request, username=str(usr), password=str(pwd))
    locked = getattr(request, "_lowcode_login_locked", 0)
    if locked:
        raise ApiError(str(LoginLocked(locked).args[0]), "TooManyRequestsError")
    if found is None or not found.is_active:
        raise ApiError("Invalid login credentials", "AuthenticationError")
    login(request, found)
    request.api_extra = {
        "home_page": "/desk/" if found.is_staff else "/",
        "full_name": found.get_full_name() or found.username,
    }  # type: ignore[attr-defined]
    get_token(request)  # a CSRF token for the session's later writes (cookie csrftoken)
    return "Logged In"


@whitelist(allow_guest=True, methods=("POST",), path="logout")  # a GET from another site cannot log anyone out
def logout_(*, request: HttpRequest, user: Any) -> None:
    logout(request)


@whitelist(allow_guest=True, methods=("GET",), path="frappe.auth.get_logged_user")
def get_logged_user(*, request: HttpRequest, user: Any) -> str:
    if not user.is_authenticated:
        raise ApiError("Not logged in", "AuthenticationError")
    return user.get_username()


@whitelist(path="frappe.client.get_list")
def get_list(*, request: HttpRequest, user: Any, doctype: str = "", **args: Any) -> list[Any]:
    return list_rows(doctype_of(doctype).model, user, args)


@whitelist(path="frappe.client.get_count")
def get_count(*, request: HttpRequest, user: Any, doctype: str = "", filters: Any = None, **_: Any) -> int:
    return count(doctype_of(doctype).model, user, {"filters": filters})


@whitelist(path="frappe.client.get")
def get(*, request: HttpRequest, user: Any, doctype: str = "", name: str = "", **_: Any) -> dict[str, Any]:
    return to_dict(find_doc(doctype_of(doctype).model, user, str(name), "read"), user)


@whitelist(path="frappe.client.get_value")
def get_value(
    *, request: HttpRequest, user: Any, doctype: str = "", fieldname: Any = "name", filters: Any = None, **_: Any
) -> dict[str, Any] | None:
    model = doctype_of(doctype).model
    if not permissions.has_role_right(user, model, "read"):
        raise forbidden(f"No permission to read {model._meta.verbose_name}")
    names = (
        json_param(fieldname, "fieldname") if isinstance(fieldname, str) and fieldname.startswith("[") else fieldname
    )
    names = [names] if isinstance(names, str) else names
    if not isinstance(names, list) or not names:
        raise ApiError("fieldname is a field name or a list of them")
    for name in names:
        if name != "name":
            lookup_path(model, name, user, "fields")
    queryset = with_custom(permissions.scope(user, model._default_manager.all(), "read"))
    parsed = json_param(filters, "filters") if isinstance(filters, str) and filters[:1] in "[{" else filters
    if isinstance(parsed, str):
        if not name_lookup_allowed(model, user):
            raise ApiError("You may not look records up by name", "PermissionError")
        doc = by_name(queryset, parsed)
    else:
        doc = queryset.filter(filters_q(model, parsed, user)).order_by("-pk").first()
    if doc is None:
        return None
    data = to_dict(doc, user, list(names), children=False)
    return {n: data.get(n) for n in names}


def _doc_arg(doc: Any) -> dict[str, Any]:
    parsed = json_param(doc, "doc") if isinstance(doc, str) else doc
    if not isinstance(parsed, dict) or not parsed.get("doctype"):
        raise ApiError("doc is a JSON object with its doctype")
    return dict(parsed)


# The writes of frappe.client go the same way as /api/resource: through the write path, so every rule holds.
@whitelist(methods=("POST",), path="frappe.client.insert")
def insert(*, request: HttpRequest, user: Any, doc: Any = None, **_: Any) -> dict[str, Any]:
    data = _doc_arg(doc)
    return create(doctype_of(str(data.pop("doctype"))).model, user, data)


@whitelist(methods=("POST", "PUT"), path="frappe.client.save")
def save(*, request: HttpRequest, user: Any, doc: Any = None, **_: Any) -> dict[str, Any]:
    data = _doc_arg(doc)
    name = data.pop("name", None)
    if name in (None, ""):
        raise ApiError("doc names the record to save (name)")
    return update(doctype_of(str(data.pop("doctype"))).model, user, str(name), data)


@whitelist(methods=("POST", "PUT"), path="frappe.client.set_value")
def set_value(
    *,
    request: HttpRequest,
    user: Any,
    doctype: str = "",
    name: str = "",
    fieldname: Any = None,
    value: Any = None,
    **_: Any,
) -> dict[str, Any]:
    parsed = json_param(fieldname, "fieldname") if isinstance(fieldname, str) and fieldname[:1] == "{" else fieldname
    if isinstance(parsed, dict):
        data = parsed
    elif isinstance(parsed, str) and parsed:
        data = {parsed: value}
    else:
        raise ApiError("fieldname is a field name, or an object of field names and values")
    return update(doctype_of(doctype).model, user, str(name), data)


@whitelist(methods=("POST", "DELETE"), path="frappe.client.delete")
def delete(*, request: HttpRequest, user: Any, doctype: str = "", name: str = "", **_: Any) -> None:
    remove(doctype_of(doctype).model, user, str(name))


@whitelist(methods=("POST",), path="upload_file")
def upload_file(
    *, request: HttpRequest, user: Any, doctype: str = "", docname: str = "", fieldname: str = "", **_: Any
) -> dict[str, Any]:
    """A PDF, PNG or JPEG (checked by content, not by name), attached to a record's file field. The record is
    saved through the write path like any edit — scope, the state's editors, the field's rules, the controller,
    the content check — and the file is stored only by that save: a refused upload leaves nothing behind."""
    from lowcode.core.documents import save_doc
    from lowcode.workflow.engine import may_edit_in_state

    upload = request.FILES.get("file")
    if upload is None:
        raise ApiError("No file was sent (multipart field “file”)")
    if upload.size > FILE_LIMIT:
        raise ApiError(f"The file is larger than {FILE_LIMIT // (1024 * 1024)} MB")
    head = upload.read(16)
    upload.seek(0)
    kind = sniff(head)
    if kind is None:
        raise ApiError("Only PDF, PNG and JPEG files are accepted (checked by their content)")
    if not (doctype and docname and fieldname):
        raise ApiError("Name the record and its file field: doctype, docname, fieldname")
    model = doctype_of(doctype).model
    doc = find_doc(model, user, docname, "write")
    try:
        field = model._meta.get_field(fieldname)
    except Exception:
        raise ApiError(f"{doctype} has no field {fieldname}") from None
    if field.get_internal_type() != "FileField":
        raise ApiError(f"{fieldname} is not a file field")
    if not may_edit_in_state(doc, user):
        raise forbidden("This record cannot be edited in its current state")
    content = upload.read()
    digest = hashlib.sha256(content).hexdigest()
    base = str(upload.name or "file").rsplit("/", 1)[-1].rsplit(".", 1)[0][:60] or "file"
    # Assigned, not stored: the save stores it once the field rules and the controller have let it through,
    # and deletes it again if the write fails after that (lowcode.core.documents.atomic_with_files).
    setattr(doc, field.name, ContentFile(content, name=f"{base}{EXTENSIONS[kind]}"))
    save_doc(doc, update_fields=[field.name], user=user)
    stored = getattr(doc, field.name)
    return {
        "file_url": stored.url,
        "file_name": stored.name.rsplit("/", 1)[-1],
        "is_private": 1,
        "content_hash": digest,
    }


@whitelist(methods=("POST",), path="lowcode.api.methods.apply_workflow")
def apply_workflow(
    *, request: HttpRequest, user: Any, doctype: str = "", name: str = "", action: str = "", comment: str = "", **_: Any
) -> dict[str, Any]:
    """Take a workflow action on a record (the same checks as the desk's buttons)."""
    from lowcode.workflow.engine import WorkflowError, apply_transition

    model = doctype_of(doctype).model
    doc = find_doc(model, user, str(name), "read")
    try:
        doc = apply_transition(doc, str(action), user, comment=str(comment))
    except WorkflowError as error:
        raise ApiError(str(error)) from None
    return to_dict(doc, user)


@whitelist(methods=("GET", "POST"), path="lowcode.api.methods.calendar_add")
def calendar_add(
    *,
    request: HttpRequest,
    user: Any,
    start: str = "",
    working_hours: Any = None,
    working_days: Any = None,
    calendar_days: Any = None,
    cutoff: str = "",
    calendar: str = "",
    **_: Any,
) -> str:
    """The due instant on a working calendar, like `bench calendar add`."""
    from lowcode.deadlines.selectors import NoCalendar, calendar_snapshot

    try:
        cal = calendar_snapshot(calendar or None)
    except NoCalendar as error:
        raise not_found(str(error)) from None
    try:
        moment = datetime.strptime(str(start), "%Y-%m-%d %H:%M").replace(tzinfo=cal.tz)
    except ValueError:
        raise ApiError("start is “YYYY-MM-DD HH:MM”") from None
    limits = {
        "working_hours": (working_hours, 87_600),
        "working_days": (working_days, 3_650),
        "calendar_days": (calendar_days, 3_650),
    }
    for what, (value, most) in limits.items():
        try:
            if value not in (None, "") and not 0 <= float(value) <= most:
                raise ApiError(f"{what} is between 0 and {most}")
        except (TypeError, ValueError):
            raise ApiError(f"{what} is a number") from None
    try:
        given = next(((unit, value) for unit, (value, _) in limits.items() if value not in (None, "")), None)
        if given is not None:
            due = cal.add(moment, float(given[1]), given[0])
        elif cutoff == "handover":
            due = cal.handover_cutoff(moment)
        else:
            raise ApiError("Give working_hours, working_days, calendar_days or cutoff=handover")
    except (ValueError, OverflowError):
        raise ApiError("The amount is not a usable number") from None
    return due.isoformat()
