"""/api/schema (OpenAPI JSON) and /api/docs (the same, browsable, without any outside script)."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from lowcode.api.auth import request_user
from lowcode.api.errors import ApiError, error_response
from lowcode.api.openapi import document


def schema(request: HttpRequest) -> JsonResponse:
    user, _ = request_user(request)
    if not user.is_authenticated:
        return error_response(ApiError("Not permitted: please log in", "PermissionError"))
    return JsonResponse(document(), json_dumps_params={"ensure_ascii": False})


def browse(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    spec = document()
    operations = [
        {"method": method.upper(), "path": path, "summary": op.get("summary", ""), "tag": (op.get("tags") or [""])[0]}
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in ("get", "post", "put", "delete")
    ]
    return render(request, "api/docs.html", {"operations": operations, "spec": spec})
