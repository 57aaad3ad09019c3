from django.urls import path

from gov_services import views

app_name = "gov_services"

urlpatterns = [
    path("licence/verify", views.licence_verify, name="licence_verify"),
]
