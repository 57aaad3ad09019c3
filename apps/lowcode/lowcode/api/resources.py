"""DocTypes as API resources: names, fields, values in and out, filters and ordering in Frappe's terms.

A record's `name` is its DocType's natural key (e.g. an application's number), else its primary key. Links
(foreign keys) read and write as the linked record's name. Child tables nest as lists of rows. Masked
fields come out masked for users who may not see them, and may not be filtered or sorted on by them.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone

from lowcode.api.errors import ApiError
from lowcode.core import registry
from lowcode.core.masking import display_value, hidden_fields
from lowcode.customization import index
from lowcode.customization import values as custom_values
from lowcode.customization.fieldtypes import TYPES, query_field
from lowcode.customization.meta import custom_field, custom_fields, doctype_name

HIDDEN = {"password", "secret_hash", "fixture_hash", "custom"}  # custom values come out flat, by key
ALIASES = {"creation": "created_at", "modified": "modified_at"}
OPERATORS = {"=", "!=", ">", "<", ">=", "<=", "like", "not like", "in", "not in", "between", "is"}
MAX_PAGE = 1_000  # rows in one page (limit_page_length 0 or larger means this many)
LIKE_ESCAPE = "!"


@models.CharField.register_lookup
@models.TextField.register_lookup
class FrappeLike(models.Lookup):
    """`field LIKE pattern ESCAPE '!'`: SQL's own wildcards, case-insensitive as the site's collation is."""

    lookup_name = "frappe_like"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} LIKE {rhs} ESCAPE '{LIKE_ESCAPE}'", [*lhs_params, *rhs_params]


def doctype_of(name: str) -> registry.DocType:
    try:
        return registry.get(name)
    except registry.UnknownDocType:
        raise ApiError(f"DocType {name} not found", "DoesNotExistError") from None


def name_field(model: type[models.Model]) -> str:
    doctype = registry.for_model(model)
    return doctype.natural_key if doctype and doctype.natural_key else "pk"


def name_of(doc: models.Model) -> Any:
    field = name_field(type(doc))
    return doc.pk if field == "pk" else getattr(doc, field)


def name_lookup_allowed(model: type[models.Model], user: Any) -> bool:
    """Whether `user` may find records by their name: not where the name is a field masked for them (a
    guessed ID number must not answer "found" or "not found")."""
    key = name_field(model)
    return key == "pk" or key not in hidden_fields(user, model)


def by_name(queryset: QuerySet, name: str) -> models.Model | None:
    field = name_field(queryset.model)
    if field == "pk":
        if not str(name).isdigit() or len(str(name)) > 18:
            return None
        return queryset.filter(pk=int(name)).first()
    return queryset.filter(**{field: name}).first()


def api_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.name not in HIDDEN and not f.primary_key]


def child_tables(model: type[models.Model]) -> dict[str, Any]:
    """accessor → relation, for one-to-many relations to models that are not DocTypes (child tables)."""
    return {
        rel.get_accessor_name(): rel
        for rel in model._meta.related_objects
        if rel.one_to_many
        and registry.for_model(rel.related_model) is None
        and not rel.related_model._meta.auto_created
    }


def out(value: Any) -> Any:
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, models.fields.files.FieldFile):
        return value.url if value else ""
    if isinstance(value, models.Model):
        return name_of(value)
    return value


def field_value(doc: models.Model, field: models.Field, user: Any) -> Any:
    if field.name in hidden_fields(user, type(doc)):
        return display_value(user, doc, field.name)
    if field.is_relation:
        related_id = getattr(doc, field.attname)
        if related_id is None:
            return None
        if name_field(field.related_model) == "pk":
            return related_id
        return out(getattr(doc, field.name))
    return out(getattr(doc, field.attname))


def _has_field(model: type[models.Model], name: str) -> bool:
    return any(f.name == name for f in model._meta.get_fields())


def api_key(model: type[models.Model], field: str) -> str:
    """The key a field has in the API: its name, except that a model field called `name` which is not the
    record's name (e.g. a matter's title) is `title`, so `name` always fetches the record back."""
    if field == "name" and name_field(model) != "name" and not _has_field(model, "title"):
        return "title"
    return field


def to_dict(doc: models.Model, user: Any, fields: list[str] | None = None, *, children: bool = True) -> dict:
    doctype = registry.for_model(type(doc))
    key = name_field(type(doc))
    masked_name = key in hidden_fields(user, type(doc))
    data: dict[str, Any] = {"name": display_value(user, doc, key) if masked_name else name_of(doc)}
    for field in api_fields(type(doc)):
        key = api_key(type(doc), field.name)
        if fields is None or key in fields:
            data[key] = field_value(doc, field, user)
    if doctype is not None and hasattr(doc, "custom"):
        for cf in custom_fields(doctype.name):
            if fields is None or cf.fieldname in fields:
                data[cf.fieldname] = out(custom_values.get(doc, cf))
    if fields is None:
        data["doctype"] = doctype.name if doctype else type(doc).__name__
        data["docstatus"] = 0
        for alias, real in ALIASES.items():
            if hasattr(doc, real):
                data[alias] = out(getattr(doc, real))
        if children:
            for accessor, rel in child_tables(type(doc)).items():
                rows = getattr(doc, accessor).all()
                data[accessor] = [
                    {
                        **to_dict(row, user, children=False),
                        "parent": name_of(doc),
                        "parentfield": accessor,
                        "idx": i + 1,
                        "doctype": rel.related_model.__name__,
                    }
                    for i, row in enumerate(rows)
                ]
    elif "name" not in fields:
        data.pop("name")
    return data


# -- reading parameters ----------------------------------------------------------------------------------------


def json_param(raw: Any, what: str) -> Any:
    if raw in (None, ""):
        return None
    if not isinstance(raw, str):
        return bounded(raw, what)
    return bounded(load_json(raw, what), what)


def load_json(raw: str | bytes, what: str) -> Any:
    if json_depth_exceeds(raw, MAX_JSON_DEPTH * 4):
        raise ApiError(f"{what} is nested too deeply")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        text = raw if isinstance(raw, str) else raw[:80].decode("utf-8", "replace")
        raise ApiError(f"{what} is not valid JSON: {text[:80]}") from None


def json_depth_exceeds(raw: str | bytes, most: int) -> bool:
    """Whether brackets nest deeper than `most` — checked on the text before parsing, which would recurse."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > most:
                return True
        elif ch in "]}":
            depth -= 1
    return False


def bounded(value: Any, what: str) -> Any:
    """Parameters (filters, fields) nest a few levels at most."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise ApiError(f"{what} is nested too deeply")
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list | tuple):
            stack.extend((v, depth + 1) for v in item)
    return value


def int_param(raw: Any, what: str, default: int) -> int:
    if raw in (None, ""):
        return default
    try:
        value = int(str(raw))
    except ValueError:
        raise ApiError(f"{what} must be a whole number, not {str(raw)[:40]!r}") from None
    if value < 0 or value > 10**9:
        raise ApiError(f"{what} must be between 0 and 1000000000")
    return value


def lookup_path(model: type[models.Model], name: str, user: Any, purpose: str) -> tuple[str, models.Field | None]:
    """The ORM path of a field named in filters, fields or order_by; refuses unknown, hidden and masked ones."""
    if not isinstance(name, str):
        raise ApiError(f"Field names are strings, not {name!r}")
    name = ALIASES.get(name, name)
    if name == "title" and api_key(model, "name") == "title" and not _has_field(model, "title"):
        name = "name"  # the model's own `name` field, shown as `title` (see api_key)
    elif name == "name":
        field = name_field(model)
        if field != "pk" and not name_lookup_allowed(model, user) and purpose != "fields":
            raise ApiError(f"You may not {purpose} by name", "PermissionError")
        return ("pk", None) if field == "pk" else (field, model._meta.get_field(field))
    cf = custom_field(doctype_name(model), name)
    compared = query_field(cf.fieldtype) if cf is not None else None
    if compared is not None:
        compared.name = cf.fieldname
        compared.custom_cf = cf  # values convert as the custom field stores them
        return f"_custom_{cf.fieldname}", compared
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        raise ApiError(f"Field not permitted in query: {name}", "DataError") from None
    if not getattr(field, "concrete", False) or field.name in HIDDEN:
        raise ApiError(f"Field not permitted in query: {name}", "DataError")
    if field.name in hidden_fields(user, model) and purpose != "fields":
        raise ApiError(f"You may not {purpose} by {name}", "PermissionError")
    if field.is_relation:
        related = name_field(field.related_model)
        return (f"{field.name}__{related}" if related != "pk" else field.attname), field
    return field.name, field


def _convert(field: models.Field | None, value: Any) -> Any:
    cf = getattr(field, "custom_cf", None)
    if cf is not None:
        try:
            cleaned = custom_values.clean(cf, value)
        except ValidationError:
            raise ApiError(f"Invalid value for {cf.fieldname}: {str(value)[:60]}") from None
        return cleaned if cf.fieldtype == "Check" else TYPES[cf.fieldtype].dump(cleaned)
    if field is None:
        if isinstance(value, str) and value.isdigit():
            return int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise ApiError(f"Invalid name {value!r}")
    target = field.target_field if field.is_relation else field
    if field.is_relation and name_field(field.related_model) != "pk":
        target = field.related_model._meta.get_field(name_field(field.related_model))
    if isinstance(value, list | dict):
        raise ApiError(f"Invalid value for {field.name}: {str(value)[:60]}")
    try:
        return local_aware(target.to_python(value))
    except (ValidationError, TypeError, ValueError, OverflowError):
        raise ApiError(f"Invalid value for {field.name}: {str(value)[:60]}") from None


def local_aware(value: Any) -> Any:
    """Frappe's datetimes are naive, in the site's time zone."""
    if isinstance(value, datetime) and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


MAX_LIKE_LENGTH = 140
MAX_LIKE_WILDCARDS = 4
MAX_FILTERS = 50
MAX_JSON_DEPTH = 6


def _like(pattern: Any) -> str:
    """A Frappe `like` pattern (% and _ as in SQL) for the database's own LIKE — never a regular expression,
    whose backtracking one request could make cost seconds. Patterns are bounded in length and wildcards."""
    if not isinstance(pattern, str):
        raise ApiError("“like” compares with a text pattern")
    if len(pattern) > MAX_LIKE_LENGTH:
        raise ApiError(f"A “like” pattern has at most {MAX_LIKE_LENGTH} characters")
    inner = pattern.strip("%")
    if inner.count("%") + pattern.count("_") > MAX_LIKE_WILDCARDS - 2:
        raise ApiError(f"A “like” pattern has at most {MAX_LIKE_WILDCARDS} wildcards (% or _)")
    return pattern.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)


def condition(model: type[models.Model], spec: Any, user: Any) -> Q:
    if isinstance(spec, list | tuple) and len(spec) == 4:
        spec = spec[1:]  # [doctype, field, operator, value]
    if not isinstance(spec, list | tuple) or len(spec) not in (2, 3):
        raise ApiError(f"A filter is [field, operator, value], not {str(spec)[:80]}")
    if len(spec) == 2:
        field_name, operator, value = spec[0], "=", spec[1]
    else:
        field_name, operator, value = spec
    if not isinstance(operator, str) or operator.lower() not in OPERATORS:
        raise ApiError(f"Unknown operator {operator!r}; one of {', '.join(sorted(OPERATORS))}")
    operator = operator.lower()
    path, field = lookup_path(model, field_name, user, "filter")
    if operator == "is":
        if value not in ("set", "not set"):
            raise ApiError("“is” takes “set” or “not set”")
        empty = Q(**{f"{path}__isnull": True})
        if field is not None and isinstance(field, models.CharField | models.TextField | models.FileField):
            empty |= Q(**{path: ""})
        return ~empty if value == "set" else empty
    if operator in ("like", "not like"):
        q = Q(**{f"{path}__{FrappeLike.lookup_name}": _like(value)})
        return ~q if operator == "not like" else q
    if operator in ("in", "not in"):
        values = value.split(",") if isinstance(value, str) else value
        if not isinstance(values, list | tuple):
            raise ApiError(f"“{operator}” takes a list")
        q = Q(**{f"{path}__in": [_convert(field, v.strip() if isinstance(v, str) else v) for v in values]})
        return ~q if operator == "not in" else q
    if operator == "between":
        if not isinstance(value, list | tuple) or len(value) != 2:
            raise ApiError("“between” takes [from, to]")
        low, high = (_convert(field, v) for v in value)
        if (
            isinstance(field, models.DateTimeField)
            and isinstance(high, datetime)
            and high.time() == datetime.min.time()
        ):
            high = high.replace(hour=23, minute=59, second=59, microsecond=999999)
        return Q(**{f"{path}__gte": low, f"{path}__lte": high})
    converted = _convert(field, value) if value is not None else None
    if converted is None:
        q = Q(**{f"{path}__isnull": True})
        return ~q if operator == "!=" else q
    lookup = {"=": "exact", "!=": "exact", ">": "gt", "<": "lt", ">=": "gte", "<=": "lte"}[operator]
    q = Q(**{f"{path}__{lookup}": converted})
    return ~q if operator == "!=" else q


def filters_q(model: type[models.Model], filters: Any, user: Any, *, any_of: bool = False) -> Q:
    if filters in (None, "", [], {}):
        return Q()
    if isinstance(filters, dict):
        specs = [
            [
                k,
                *(
                    v
                    if isinstance(v, list) and len(v) == 2 and isinstance(v[0], str) and v[0].lower() in OPERATORS
                    else ["=", v]
                ),
            ]
            for k, v in filters.items()
        ]
    elif isinstance(filters, list):
        specs = filters
    else:
        raise ApiError("filters are a list of [field, operator, value] or an object")
    if len(specs) > MAX_FILTERS:
        raise ApiError(f"At most {MAX_FILTERS} filters in one request")
    combined = Q()
    for spec in specs:
        q = condition(model, spec, user)
        combined = (combined | q) if any_of and combined else (combined & q)
    return combined


def ordering(model: type[models.Model], order_by: Any, user: Any) -> list[str]:
    if order_by in (None, ""):
        return ["-modified_at", "-pk"] if hasattr(model, "modified_at") else ["-pk"]
    if not isinstance(order_by, str):
        raise ApiError("order_by is text, e.g. “modified desc”")
    result = []
    for part in order_by.split(","):
        words = part.strip().split()
        if not words or len(words) > 2:
            raise ApiError(f"Invalid order_by {order_by[:80]!r}")
        name = words[0].strip("`").split(".")[-1]
        direction = words[1].lower() if len(words) == 2 else "asc"
        if direction not in ("asc", "desc"):
            raise ApiError(f"Invalid order_by direction {direction!r}")
        path, _ = lookup_path(model, name, user, "sort")
        result.append(f"-{path}" if direction == "desc" else path)
    return result


def field_list(model: type[models.Model], fields: Any, user: Any) -> list[str] | None:
    """None for every field ("*"), else the checked names."""
    if fields in (None, ""):
        return ["name"]
    if isinstance(fields, str):
        fields = [fields]
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        raise ApiError("fields is a list of field names")
    if "*" in fields:
        return None
    names = []
    for name in fields:
        name = name.strip("`").split(".")[-1].split(" as ")[0].strip()
        if name != "name":
            lookup_path(model, name, user, "fields")
        names.append(ALIASES.get(name, name))
    return names


# -- writing -----------------------------------------------------------------------------------------------


def assign(doc: models.Model, data: dict[str, Any], *, creating: bool) -> list[str]:
    """Set the fields present in `data`; returns their names. Unknown keys are ignored (as Frappe); whether the
    caller may write each field is the write path's to decide (lowcode.core.controller), not this one's."""
    changed = []
    for field in api_fields(type(doc)):
        key = api_key(type(doc), field.name)
        if key not in data:
            continue
        value = data[key]
        if field.is_relation:
            value = _related(field, value)
            setattr(doc, field.attname, value)
        elif isinstance(field, models.FileField):
            continue  # files come through upload_file
        elif isinstance(field, models.JSONField):
            setattr(doc, field.name, value)
        else:
            if value is None and not field.null:
                value = "" if isinstance(field, models.CharField | models.TextField) else None
            try:
                setattr(doc, field.name, local_aware(field.to_python(value)) if value is not None else None)
            except (ValidationError, TypeError, ValueError, OverflowError):
                raise ApiError(f"Invalid value for {field.name}: {str(value)[:60]}") from None
        changed.append(field.name)
    return changed


def assign_custom(doc: models.Model, data: dict[str, Any], *, creating: bool) -> list[str]:
    """Custom values in `data`, checked as the desk checks them; ["custom"] when any changed."""
    try:
        changed = custom_values.assign(doc, data, creating=creating)
    except ValidationError as exc:
        first = next(iter(exc.error_dict.items()))
        cf = custom_field(doctype_name(type(doc)), first[0])
        label = cf.label if cf else first[0]
        raise ApiError(f"{label}: {'; '.join(first[1][0].messages)}") from None
    return ["custom"] if changed else []


def with_custom(queryset: QuerySet) -> QuerySet:
    """Name every custom field of the DocType so filters and order_by can refer to it (indexed where it is)."""
    for cf in custom_fields(doctype_name(queryset.model)):
        queryset = index.annotate(queryset, cf)[0]
    return queryset


def _related(field: models.Field, value: Any) -> Any:
    if value in (None, ""):
        return None
    if isinstance(value, list | dict | bool):
        raise ApiError(f"Invalid value for {field.name}")
    model = field.related_model
    found = by_name(model._default_manager.all(), str(value))
    if found is None and str(value).isdigit() and name_field(model) != "pk":
        found = model._default_manager.filter(pk=int(str(value))).first() if len(str(value)) < 18 else None
    if found is None:
        raise ApiError(f"Could not find {field.name}: {str(value)[:60]}", "LinkValidationError")
    return found.pk
