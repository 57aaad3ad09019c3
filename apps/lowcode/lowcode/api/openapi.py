"""The OpenAPI document of the API (GET /api/schema), made from the DocType registry and the whitelist."""

from __future__ import annotations

from typing import Any

from django.db import models

from lowcode.api import registry as methods
from lowcode.api.resources import api_fields, child_tables, name_field
from lowcode.core import registry

TYPES: list[tuple[type[models.Field], dict[str, Any]]] = [
    (models.BooleanField, {"type": "integer", "enum": [0, 1]}),
    (models.DateTimeField, {"type": "string", "example": "2026-03-02 17:30:00.000000"}),
    (models.DateField, {"type": "string", "format": "date"}),
    (models.DecimalField, {"type": "number"}),
    (models.FloatField, {"type": "number"}),
    (models.IntegerField, {"type": "integer"}),
    (models.JSONField, {}),
    (models.FileField, {"type": "string", "readOnly": True}),
]
LIST_PARAMETERS = [
    ("fields", 'JSON list of field names, e.g. ["name", "status"] or ["*"]'),
    ("filters", 'JSON list of [field, operator, value], or an object {"field": value}'),
    ("or_filters", "like filters, any of them"),
    ("order_by", "e.g. “modified desc”"),
    ("limit_start", "offset"),
    ("limit_page_length", "page size (0: all)"),
    ("limit", "the same as limit_page_length"),
    ("as_dict", "0 for rows as lists"),
]
ERRORS = {
    "401": "AuthenticationError",
    "403": "PermissionError",
    "404": "DoesNotExistError",
    "409": "DuplicateEntryError",
    "417": "ValidationError",
}


def _field_schema(field: models.Field) -> dict[str, Any]:
    if field.is_relation:
        schema: dict[str, Any] = {
            "type": ["string", "integer"],
            "description": f"link to {field.related_model.__name__}",
        }
    else:
        schema = next((dict(s) for kind, s in TYPES if isinstance(field, kind)), {"type": "string"})
        if getattr(field, "max_length", None) and schema.get("type") == "string":
            schema["maxLength"] = field.max_length
    if field.choices and not field.is_relation:
        schema["enum"] = [c[0] for c in field.choices]
    if field.null:
        schema["nullable"] = True
    schema["title"] = str(field.verbose_name)
    return schema


def _slug(name: str) -> str:
    return name.replace(" ", "")


def _error_responses() -> dict[str, Any]:
    return {
        code: {"description": kind, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for code, kind in ERRORS.items()
    }


def document() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {
        "Error": {
            "type": "object",
            "properties": {
                "exc_type": {"type": "string"},
                "exception": {"type": "string"},
                "_server_messages": {"type": "string"},
            },
        }
    }
    for doctype in registry.all_doctypes():
        model = doctype.model
        if registry.is_hidden(model):
            continue
        slug = _slug(doctype.name)
        properties = {"name": {"type": ["string", "integer"], "readOnly": True}}
        properties.update({f.name: _field_schema(f) for f in api_fields(model)})
        for accessor in child_tables(model):
            properties[accessor] = {"type": "array", "items": {"type": "object"}}
        schemas[slug] = {"type": "object", "title": doctype.name, "properties": properties}
        ref = {"$ref": f"#/components/schemas/{slug}"}
        one = {
            "200": {
                "description": "the record",
                "content": {"application/json": {"schema": {"type": "object", "properties": {"data": ref}}}},
            },
            **_error_responses(),
        }
        name_param = {
            "name": "name",
            "in": "path",
            "required": True,
            "schema": {"type": "string", "minLength": 1},
            "description": f"the {name_field(model) if name_field(model) != 'pk' else 'ID'}",
        }
        paths[f"/api/resource/{doctype.name}"] = {
            "get": {
                "operationId": f"list{slug}",
                "tags": [doctype.module],
                "summary": f"List {doctype.name}",
                "parameters": [
                    {"name": n, "in": "query", "required": False, "schema": {"type": "string"}, "description": d}
                    for n, d in LIST_PARAMETERS
                ],
                "responses": {
                    "200": {
                        "description": "the records",
                        "content": {
                            "application/json": {
                                "schema": {"type": "object", "properties": {"data": {"type": "array", "items": {}}}}
                            }
                        },
                    },
                    **_error_responses(),
                },
            },
            "post": {
                "operationId": f"create{slug}",
                "tags": [doctype.module],
                "summary": f"Create a {doctype.name}",
                "requestBody": {"content": {"application/json": {"schema": ref}}},
                "responses": one,
            },
        }
        paths[f"/api/resource/{doctype.name}/{{name}}"] = {
            "parameters": [name_param],
            "get": {
                "operationId": f"get{slug}",
                "tags": [doctype.module],
                "summary": f"Read a {doctype.name}",
                "responses": one,
            },
            "put": {
                "operationId": f"update{slug}",
                "tags": [doctype.module],
                "summary": f"Change fields of a {doctype.name}",
                "requestBody": {"content": {"application/json": {"schema": ref}}},
                "responses": one,
            },
            "delete": {
                "operationId": f"delete{slug}",
                "tags": [doctype.module],
                "summary": f"Delete a {doctype.name}",
                "responses": {"200": {"description": "deleted"}, **_error_responses()},
            },
        }
    for method in methods.all_methods():
        operation = {
            "operationId": method.path.replace(".", "_"),
            "tags": ["methods"],
            "summary": (method.func.__doc__ or method.path).strip().splitlines()[0],
            "responses": {
                "200": {
                    "description": '{"message": …}',
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                **_error_responses(),
            },
        }
        if "GET" in method.methods:
            paths.setdefault(f"/api/method/{method.path}", {})["get"] = {
                **operation,
                "operationId": operation["operationId"] + "_get",
            }
        if "POST" in method.methods:
            paths.setdefault(f"/api/method/{method.path}", {})["post"] = {
                **operation,
                "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
            }
    return {
        "openapi": "3.1.0",
        "info": {"title": "gov_services API (Frappe-compatible)", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "token": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "token <api_key>:<api_secret>",
                },
                "session": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
            },
        },
        "security": [{"token": []}, {"session": []}],
    }
