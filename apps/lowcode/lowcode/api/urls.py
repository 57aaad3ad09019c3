from django.urls import path, re_path

from lowcode.api import docs, views

urlpatterns = [
    path("api/schema", docs.schema, name="api_schema"),
    path("api/docs", docs.browse, name="api_docs"),
    re_path(r"^api/resource/(?P<doctype>[^/]+)/(?P<name>.+)$", views.resource, name="api_resource_detail"),
    re_path(r"^api/resource/(?P<doctype>[^/]+)/?$", views.resource, name="api_resource"),
    re_path(r"^api/method/(?P<path>[^/]+)/?$", views.method, name="api_method"),
]
