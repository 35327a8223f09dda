from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("password/done/", views.password_change_done, name="password_change_done"),
    path("password/forgotten/", views.password_reset, name="password_reset"),
    path("password/forgotten/sent/", views.password_reset_done, name="password_reset_done"),
    path("set-password/<uidb64>/<token>/", views.set_password, name="set_password"),
    path("set-password/done/", views.set_password_done, name="set_password_done"),
]
