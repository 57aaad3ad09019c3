from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import set_language
from django.views.static import serve

urlpatterns = [
    path("desk/rq/", include("django_rq.urls")),
    path("desk/", admin.site.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    # Public files of the site; private files go through permission-checked views.
    re_path(r"^files/(?P<path>.+)$", serve, {"document_root": settings.MEDIA_ROOT}),
    path("", include("lowcode.portal.urls")),
]
