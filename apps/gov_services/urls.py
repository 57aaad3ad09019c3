from django.urls import path

from gov_services import views
from gov_services.portal import views as portal

app_name = "gov_services"

urlpatterns = [
    path("", portal.home, name="home"),
    path("licence/verify", views.licence_verify, name="licence_verify"),
    path("guides/", portal.guides, name="guides"),
    path("guides/<str:code>/", portal.guide, name="guide"),
    path("signup/", portal.signup, name="signup"),
    path("progress/", portal.progress, name="progress"),
    path("my/", portal.my, name="my"),
    path("my/applications/<str:number>/", portal.my_application, name="my_application"),
    path("my/applications/<str:number>/licences/<int:pk>.pdf", portal.licence_pdf, name="my_licence"),
    path("my/work-orders/<str:number>/", portal.my_work_order, name="my_work_order"),
]
