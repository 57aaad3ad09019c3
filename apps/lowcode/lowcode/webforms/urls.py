from django.urls import path

from lowcode.webforms import views

app_name = "webforms"

urlpatterns = [
    path("<slug:route>/new", views.new, name="new"),
    path("<slug:route>/", views.my_list, name="list"),
    path("<slug:route>/<str:name>/receipt", views.receipt, name="receipt"),
    path("<slug:route>/<str:name>", views.detail, name="detail"),
]
