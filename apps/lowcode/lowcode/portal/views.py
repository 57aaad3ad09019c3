from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lowcode.core.throttle import ThrottledAuthenticationForm


def home(request: HttpRequest) -> HttpResponse:
    from lowcode.printing.services import printed_for

    return render(request, "portal/home.html", {"documents": printed_for(request.user)})


class LoginView(auth_views.LoginView):
    template_name = "portal/login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    template_name = "portal/logged_out.html"
