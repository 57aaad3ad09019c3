import importlib.util
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import include, path, re_path, reverse
from django.views.i18n import set_language
from django_rq import urls as rq_urls

from lowcode.core.files import private_file, public_file
from lowcode.customization import views as customization_views
from lowcode.deadlines import views as deadline_views
from lowcode.desk import views as desk_views
from lowcode.printing import views as printing_views
from lowcode.workflow import views as workflow_views


def _superusers_only(view: Any) -> Any:
    """django-rq's dashboard shows Redis and can empty queues: superusers only, never any desk user."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), login_url=reverse("admin:login"))
        if not request.user.is_superuser:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return guarded


for _pattern in rq_urls.urlpatterns:
    _pattern.callback = _superusers_only(_pattern.callback)

urlpatterns = [
    path("", include("lowcode.api.urls")),
    path("desk/rq/", include(rq_urls)),
    path("desk/print/<str:app_label>/<str:model_name>/<str:pk>/", desk_views.print_view, name="desk_print"),
    path(
        "desk/workflow/<str:app_label>/<str:model_name>/<str:pk>/",
        workflow_views.apply_view,
        name="desk_workflow_apply",
    ),
    path("desk/supervision/", deadline_views.overview, name="desk_supervision_overview"),
    path("desk/customize-form/", customization_views.customize_form, name="desk_customize_form"),
    path("desk/printing/preview/", printing_views.preview, name="desk_print_preview"),
    path("desk/printing/bulk/<int:pk>/", printing_views.bulk_print_progress, name="desk_bulk_print"),
    path("desk/printing/bulk/<int:pk>/pdf/", printing_views.bulk_print_download, name="desk_bulk_print_download"),
    path("printed/<int:pk>/", printing_views.printed_download, name="printed_document"),
    path("private/<path:path>", private_file, name="private_file"),
    path("desk/", admin.site.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    # Public files of the site; private files go through permission-checked views.
    re_path(r"^files/(?P<path>.+)$", public_file, name="public_file"),
]

# Each bench app may contribute public URLs in its own urls.py (e.g. /licence/verify, its own portal home);
# they come before the platform's portal, and generated web forms (/<route>/…) come last.
for _app in settings.BENCH_APPS:
    if _app != "lowcode" and importlib.util.find_spec(f"{_app}.urls") is not None:
        urlpatterns.append(path("", include(f"{_app}.urls")))
urlpatterns += [
    path("", include("lowcode.portal.urls")),
    path("", include("lowcode.webforms.urls")),
]
