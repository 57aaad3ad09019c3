"""/api/resource and /api/method: parse, check through lowcode.core.permissions, call the services layer,
answer {"data": …} / {"message": …} — or an error in Frappe's shape, never a 500 for bad input."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.middleware.csrf import CsrfViewMiddleware
from django.views.decorators.csrf import csrf_exempt

from lowcode.api import registry as methods
from lowcode.api.auth import request_user
from lowcode.api.errors import ApiError, error_response, forbidden, not_found
from lowcode.api.resources import (
    MAX_PAGE,
    assign,
    assign_custom,
    bounded,
    by_name,
    doctype_of,
    field_list,
    filters_q,
    int_param,
    json_param,
    load_json,
    name_field,
    name_lookup_allowed,
    ordering,
    to_dict,
    with_custom,
)
from lowcode.core import counting, permissions, registry
from lowcode.core.documents import delete_doc, insert_doc, save_doc
from lowcode.core.naming import make_name
from lowcode.core.paging import rows_by_id

logger = logging.getLogger(__name__)
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _csrf_ok(request: HttpRequest) -> bool:
    if "HTTP_X_FRAPPE_CSRF_TOKEN" in request.META and "HTTP_X_CSRFTOKEN" not in request.META:
        request.META["HTTP_X_CSRFTOKEN"] = request.META["HTTP_X_FRAPPE_CSRF_TOKEN"]
    return CsrfViewMiddleware(lambda r: HttpResponse()).process_view(request, lambda r: None, (), {}) is None


def _browser_csrf_ok(request: HttpRequest) -> bool:
    """A guest's write (the login): a browser says where the page that sent it came from (Origin) and carries
    this site's cookies — those must check out as for a session's writes, so no other site logs a visitor in
    to an account of its choosing. A client that is no browser (no Origin, no cookies) needs no token."""
    cookies = request.COOKIES
    if settings.CSRF_COOKIE_NAME in cookies or settings.SESSION_COOKIE_NAME in cookies:
        return _csrf_ok(request)
    if "HTTP_ORIGIN" in request.META:
        return CsrfViewMiddleware(lambda r: HttpResponse())._origin_verified(request)
    return True


def handle(request: HttpRequest, call: Callable[[Any], dict[str, Any]], *, csrf: bool = True) -> HttpResponse:
    try:
        user, by_token = request_user(request)
        if not by_token and request.method in UNSAFE:
            if csrf and user.is_authenticated and not _csrf_ok(request):
                raise ApiError("Invalid Request: CSRF token missing or incorrect", "CSRFTokenError")
            if not csrf and not _browser_csrf_ok(request):
                raise ApiError("Invalid Request: CSRF token missing or incorrect", "CSRFTokenError")
        result = call(user)
        return JsonResponse(result, json_dumps_params={"ensure_ascii": False})
    except ApiError as error:
        return error_response(error)
    except ValidationError as error:
        messages = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        text = "; ".join(f"{k}: {' '.join(v)}" if k and k != "__all__" else " ".join(v) for k, v in messages.items())
        return error_response(ApiError(text or "Invalid data", "ValidationError"))
    except IntegrityError as error:
        return error_response(ApiError(f"Duplicate or inconsistent entry: {error}"[:300], "DuplicateEntryError"))
    except ProtectedError:
        return error_response(ApiError("Other records link to this one; it cannot be deleted", "LinkExistsError"))
    except PermissionDenied as error:
        return error_response(forbidden(str(error) or "Not permitted"))
    except Exception:
        logger.exception("API request %s %s failed", request.method, request.path)
        return error_response(ApiError("The request failed on the server", "ServerError"))


def body(request: HttpRequest) -> dict[str, Any]:
    """Arguments of a call: the query string, the form or the JSON body (Frappe accepts all three)."""
    data: dict[str, Any] = dict(request.GET.items())
    content_type = request.META.get("CONTENT_TYPE", "")
    if request.method in UNSAFE:
        if content_type.startswith("application/json"):
            loaded = bounded(load_json(request.body or b"{}", "The request body"), "The request body")
            if not isinstance(loaded, dict):
                raise ApiError("The request body must be a JSON object")
            data.update(loaded)
        elif request.method == "POST":
            data.update(dict(request.POST.items()))
        else:
            data.update(dict(QueryDict(request.body).items()))
    if isinstance(data.get("data"), str):
        loaded = json_param(data.pop("data"), "data")
        if not isinstance(loaded, dict):
            raise ApiError("data must be a JSON object")
        data.update(loaded)
    return data


def _signed_in(user: Any) -> None:
    if not user.is_authenticated:
        raise ApiError("Not permitted: please log in", "PermissionError")


# -- /api/resource ---------------------------------------------------------------------------------------------


@csrf_exempt
def resource(request: HttpRequest, doctype: str, name: str | None = None) -> HttpResponse:
    def call(user: Any) -> dict[str, Any]:
        _signed_in(user)
        model = doctype_of(doctype).model
        if name is None:
            if request.method == "GET":
                args = request.GET.dict()
                if "cursor" in args:  # keyset paging for a client that pages deep: the next page's cursor too
                    rows, cursor = list_page(model, user, args)
                    return {"data": rows, "next_cursor": cursor}
                return {"data": list_rows(model, user, args)}
            if request.method == "POST":
                return {"data": create(model, user, body(request))}
        else:
            if request.method == "GET":
                return {"data": to_dict(find_doc(model, user, name, "read"), user)}
            if request.method in ("PUT", "PATCH"):
                return {"data": update(model, user, name, body(request))}
            if request.method == "DELETE":
                remove(model, user, name)
                return {"data": "ok"}
        raise ApiError(f"Method {request.method} is not allowed here", "ValidationError")

    return handle(request, call)


def find_doc(model: Any, user: Any, name: str, ptype: str) -> Any:
    if not permissions.has_role_right(user, model, ptype):
        raise forbidden(f"No permission to {ptype} {model._meta.verbose_name}")
    if not name_lookup_allowed(model, user):
        raise not_found(f"{model._meta.verbose_name} {name} not found")  # never an oracle for a masked name
    doc = by_name(permissions.scope(user, model._default_manager.all(), ptype), name)
    if doc is None:  # outside the user's scope looks the same as absent
        raise not_found(f"{model._meta.verbose_name} {name} not found")
    return doc


def list_rows(model: Any, user: Any, args: dict[str, Any]) -> list[Any]:
    return list_page(model, user, args)[0]


def list_page(model: Any, user: Any, args: dict[str, Any]) -> tuple[list[Any], str | None]:
    """A page of the list, and — when the client pages by `cursor` (keyset paging) — the next page's cursor.

    Frappe's `limit_start` works as Frappe's does; the page's ids are read through the order's index first and
    its rows by id (lowcode.core.paging), so a deep page costs an index walk, not a sort of the table. A client
    that pages through everything passes `cursor` (empty for the first page, then the `next_cursor` it got):
    each page then starts where the last one ended, through the index, whatever its depth."""
    if not permissions.has_role_right(user, model, "read"):
        raise forbidden(f"No permission to read {model._meta.verbose_name}")
    fields = field_list(model, json_param(args.get("fields"), "fields"), user)
    queryset = with_custom(permissions.scope(user, model._default_manager.all(), "read"))
    queryset = queryset.filter(filters_q(model, json_param(args.get("filters"), "filters"), user))
    or_filters = json_param(args.get("or_filters"), "or_filters")
    if or_filters:
        queryset = queryset.filter(filters_q(model, or_filters, user, any_of=True))
    order = [*ordering(model, args.get("order_by"), user)]
    if not any(o.lstrip("-") in ("pk", "id") for o in order):
        order.append("-pk" if order and order[-1].startswith("-") else "pk")
    queryset = queryset.order_by(*order)
    start = int_param(args.get("limit_start"), "limit_start", 0)
    length = int_param(args.get("limit_page_length", args.get("limit")), "limit_page_length", 20)
    size = min(length or MAX_PAGE, MAX_PAGE)
    paging = "cursor" in args
    if paging:
        concrete = {f.name for f in model._meta.concrete_fields} | {f.attname for f in model._meta.concrete_fields}
        if any(o.lstrip("-") not in concrete | {"pk"} for o in order):
            raise ApiError("Paging by cursor orders by the DocType's own fields only; use limit_start here")
        queryset = queryset.filter(after_cursor(model, order, args.get("cursor") or ""))
        start = 0
    page = rows_by_id(queryset, start, start + size, annotations_needed=False)
    rows = [to_dict(doc, user, fields, children=False) for doc in page]
    cursor = make_cursor(model, order, page[-1]) if paging and len(page) == size else None
    as_dict = str(args.get("as_dict", "1")).lower() not in ("0", "false")
    if as_dict:
        return rows, cursor
    columns = fields if fields is not None else list(rows[0]) if rows else []
    return [[row.get(c) for c in columns] for row in rows], cursor


CURSOR_SALT = "lowcode.api.cursor"


def _order_value(doc: Any, path: str) -> Any:
    value = doc
    for part in path.split("__"):
        value = getattr(value, "pk" if part == "pk" else part, None)
        if value is None:
            return None
    return value.isoformat() if hasattr(value, "isoformat") else value


def make_cursor(model: Any, order: list[str], last: Any) -> str:
    """The position after `last` in this order, signed so a client cannot make one up."""
    values = [_order_value(last, o.lstrip("-")) for o in order]
    return signing.dumps({"d": model._meta.label, "o": order, "v": values}, salt=CURSOR_SALT, compress=True)


def after_cursor(model: Any, order: list[str], token: str) -> Q:
    """The rows after the cursor's position, in the same order: (a, b, id) > (x, y, z) written out."""
    if not token:
        return Q()
    try:
        data = signing.loads(token, salt=CURSOR_SALT)
    except signing.BadSignature:
        raise ApiError("This cursor is not one this site made; start again with an empty cursor") from None
    if data.get("d") != model._meta.label or data.get("o") != order:
        raise ApiError("This cursor belongs to another list or order; start again with an empty cursor")
    q = Q(pk__in=[])
    equal = Q()
    for part, value in zip(order, data["v"], strict=True):
        name = part.lstrip("-")
        if value is None:  # NULLs come first ascending on both databases: past them only non-NULLs follow
            step = Q(**{f"{name}__isnull": False}) if not part.startswith("-") else Q(pk__in=[])
            q |= equal & step
            equal &= Q(**{f"{name}__isnull": True})
            continue
        lookup = "lt" if part.startswith("-") else "gt"
        q |= equal & Q(**{f"{name}__{lookup}": value})
        equal &= Q(**{name: value})
    return q


def count(model: Any, user: Any, args: dict[str, Any]) -> int:
    if not permissions.has_role_right(user, model, "read"):
        raise forbidden(f"No permission to read {model._meta.verbose_name}")
    queryset = with_custom(permissions.scope(user, model._default_manager.all(), "read"))
    return counting.exact_count(queryset.filter(filters_q(model, json_param(args.get("filters"), "filters"), user)))


@transaction.atomic
def create(model: Any, user: Any, data: dict[str, Any]) -> dict[str, Any]:
    if not permissions.has_role_right(user, model, "create"):
        raise forbidden(f"No permission to create {model._meta.verbose_name}")
    doc = model()
    given = assign(doc, data, creating=True)
    assign_custom(doc, data, creating=True)
    doctype = registry.for_model(model)
    series = doctype.extra.get("naming_series") if doctype else None
    key = name_field(model)
    controller_names = doctype is not None and "controller" in doctype.extra
    if series and key != "pk" and not getattr(doc, key) and not controller_names:
        doc.full_clean(exclude=[key])  # bad input is refused before a number is spent
        setattr(doc, key, make_name(series))
    insert_doc(doc, user=user, given=given)
    if not permissions.has_permission(user, doc, "create"):
        raise forbidden("This record would be outside what you may create")  # rolls the insert back
    return to_dict(doc, user)


@transaction.atomic
def update(model: Any, user: Any, name: str, data: dict[str, Any]) -> dict[str, Any]:
    doc = find_doc(model, user, name, "write")
    from lowcode.workflow.engine import may_edit_in_state

    if not may_edit_in_state(doc, user):
        raise forbidden("This record cannot be edited in its current state")
    changed = assign(doc, data, creating=False)
    changed += assign_custom(doc, data, creating=False)
    save_doc(doc, update_fields=changed, user=user)
    if not permissions.has_permission(user, doc, "write"):
        raise forbidden("This change would move the record outside what you may edit")  # rolls the save back
    doc.refresh_from_db()
    return to_dict(doc, user)


@transaction.atomic
def remove(model: Any, user: Any, name: str) -> None:
    delete_doc(find_doc(model, user, name, "delete"), user=user)


# -- /api/method -----------------------------------------------------------------------------------------------


@csrf_exempt
def method(request: HttpRequest, path: str) -> HttpResponse:
    registered = methods.get(path)

    def call(user: Any) -> dict[str, Any]:
        if registered is None:
            raise not_found(f"Method {path} not found")
        if request.method not in registered.methods:
            raise ApiError(f"Method {path} does not answer {request.method}", "PermissionError")
        if not registered.allow_guest:
            _signed_in(user)
        args = body(request)
        args.pop("cmd", None)
        try:
            message = registered.func(request=request, user=user, **_arguments(registered.func, args))
        except SystemExit:  # a method must never end the worker
            logger.exception("API method %s raised SystemExit", path)
            raise ApiError("The method failed on the server", "ServerError") from None
        result = {"message": message}
        result.update(getattr(request, "api_extra", {}))
        return result

    return handle(request, call, csrf=not (registered and registered.allow_guest))


def _arguments(func: Callable[..., Any], args: dict[str, Any]) -> dict[str, Any]:
    import inspect

    parameters = inspect.signature(func).parameters
    accepts_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    given = {k: v for k, v in args.items() if accepts_any or k in parameters}
    given.pop("request", None)
    given.pop("user", None)
    missing = [
        n
        for n, p in parameters.items()
        if n not in ("request", "user")
        and p.default is inspect.Parameter.empty
        and p.kind is p.KEYWORD_ONLY
        and n not in given
    ]
    if missing:
        raise ApiError(f"Missing argument: {', '.join(missing)}")
    return given
