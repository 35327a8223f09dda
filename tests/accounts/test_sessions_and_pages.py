import re

import pytest
from django.core import mail
from django_tenants.utils import schema_context

from tests.conftest import (
    COMPANY_A,
    COMPANY_B,
    PASSWORD,
    STAFF_EMAIL,
    forget_cached_values,
    user_in,
    web_client,
)
from triboka.accounts.models import Role, User


def logged_in(host: str, email: str):
    client = web_client(host)
    response = client.post("/accounts/login/", {"username": email, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return client


def test_company_admin_logs_in_with_email_and_password(company_a):
    client = logged_in(company_a.primary_domain, COMPANY_A.admin_email)
    home = client.get("/")
    assert home.status_code == 200
    assert company_a.name.encode() in home.content


def test_wrong_password_shows_the_form_again(company_a):
    response = web_client(company_a.primary_domain).post(
        "/accounts/login/", {"username": COMPANY_A.admin_email, "password": "nope"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors


def test_pages_are_spanish_by_default_and_english_by_browser_preference(company_a):
    spanish = web_client(company_a.primary_domain).get("/accounts/login/")
    english = web_client(company_a.primary_domain).get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Iniciar sesión".encode() in spanish.content
    assert b"Log in" in english.content


def test_a_signed_in_users_saved_language_wins(company_a):
    with schema_context(company_a.schema_name):
        User.objects.filter(email=COMPANY_A.user_email).update(language="en")
    client = logged_in(company_a.primary_domain, COMPANY_A.user_email)
    assert b"Change password" in client.get("/").content


def test_session_cookie_of_company_a_does_not_authenticate_on_company_b(company_a, company_b):
    client_a = logged_in(company_a.primary_domain, COMPANY_A.admin_email)
    stolen = client_a.cookies["sessionid"].value
    client_b = web_client(company_b.primary_domain)
    client_b.cookies["sessionid"] = stolen
    response = client_b.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client_b.get("/admin/").status_code == 302


def test_session_cookie_of_company_a_does_not_authenticate_on_the_root(company_a, root_host):
    stolen = logged_in(company_a.primary_domain, COMPANY_A.admin_email).cookies["sessionid"].value
    client = web_client(root_host)
    client.cookies["sessionid"] = stolen
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_user_changes_their_password(company_a):
    client = logged_in(company_a.primary_domain, COMPANY_A.user_email)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Otra-clave-segura-77",
            "new_password2": "Otra-clave-segura-77",
        },
    )
    assert response.status_code == 302
    assert user_in(company_a, COMPANY_A.user_email).check_password("Otra-clave-segura-77")


def test_company_admin_manages_users_in_its_own_admin(company_a, company_b):
    client = logged_in(company_a.primary_domain, COMPANY_A.admin_email)
    page = client.get("/admin/accounts/user/")
    assert page.status_code == 200
    assert COMPANY_A.user_email.encode() in page.content
    assert COMPANY_B.user_email.encode() not in page.content
    assert b"companies" not in client.get("/admin/").content.lower()

    response = client.post(
        "/admin/accounts/user/add/",
        {
            "email": "New.Person@Alpha.test",
            "full_name": "New Person",
            "role": Role.EXPORTER,
            "language": "es",
            "password": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert user_in(company_a, "new.person@alpha.test").role == Role.EXPORTER
    with schema_context(company_b.schema_name):
        assert not User.objects.filter(email="new.person@alpha.test").exists()
    assert re.search(r"http://alpha\.localhost[:\d]*/accounts/set-password/", mail.outbox[-1].body)


def test_company_admin_gets_a_clear_error_for_a_duplicate_email(company_a):
    client = logged_in(company_a.primary_domain, COMPANY_A.admin_email)
    response = client.post(
        "/admin/accounts/user/add/",
        {"email": COMPANY_A.user_email.upper(), "role": Role.EXPORTER, "language": "es"},
    )
    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors


def test_company_admin_changes_a_role_and_deactivates(company_a):
    client = logged_in(company_a.primary_domain, COMPANY_A.admin_email)
    user = user_in(company_a, COMPANY_A.user_email)
    response = client.post(
        f"/admin/accounts/user/{user.pk}/change/",
        {"full_name": "Renamed", "language": "es", "role": Role.SUPPLIER, "is_active": ""},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = user_in(company_a, COMPANY_A.user_email)
    assert (user.role, user.is_active, user.full_name) == (Role.SUPPLIER, False, "Renamed")


def test_plain_users_cannot_open_the_company_admin(company_a):
    client = logged_in(company_a.primary_domain, COMPANY_A.user_email)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_company_admin_cannot_enter_the_master_panel(company_a, root_host):
    response = web_client(root_host).post(
        "/admin/login/", {"username": COMPANY_A.admin_email, "password": PASSWORD}
    )
    assert response.status_code == 200  # the login form again
    assert response.context["form"].errors


def test_staff_enters_the_master_panel(root_host, db):
    client = web_client(root_host)
    assert client.login(email=STAFF_EMAIL, password=PASSWORD) or True
    response = client.post("/admin/login/?next=/admin/", {"username": STAFF_EMAIL, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/admin/companies/company/").status_code == 200


def test_the_company_admin_offers_only_company_roles(company_a):
    client = logged_in(company_a.primary_domain, COMPANY_A.admin_email)
    form = client.get("/admin/accounts/user/add/").context["adminform"].form
    assert {value for value, _ in form.fields["role"].choices} == {"admin", "exporter", "center", "supplier"}
    response = client.post(
        "/admin/accounts/user/add/", {"email": "x@alpha.test", "role": "staff", "language": "es"}
    )
    assert response.status_code == 200 and "role" in response.context["adminform"].form.errors


def test_the_master_panel_creates_staff_only(root_host, db):
    client = web_client(root_host)
    client.post("/admin/login/?next=/admin/", {"username": STAFF_EMAIL, "password": PASSWORD})
    form = client.get("/admin/accounts/user/add/").context["adminform"].form
    assert [value for value, _ in form.fields["role"].choices] == ["staff"]


def test_the_last_active_admin_cannot_be_demoted_or_deactivated(company_a):
    client = logged_in(company_a.primary_domain, COMPANY_A.admin_email)
    admin = user_in(company_a, COMPANY_A.admin_email)
    url = f"/admin/accounts/user/{admin.pk}/change/"
    for change in ({"role": Role.EXPORTER, "is_active": "on"}, {"role": Role.ADMIN, "is_active": ""}):
        response = client.post(url, {"full_name": "", "language": "es", **change})
        assert response.status_code == 200
        assert response.context["adminform"].form.errors
    admin = user_in(company_a, COMPANY_A.admin_email)
    assert admin.role == Role.ADMIN and admin.is_active


def test_the_last_active_admin_cannot_be_deleted(company_a):
    client = logged_in(company_a.primary_domain, COMPANY_A.admin_email)
    admin = user_in(company_a, COMPANY_A.admin_email)
    response = client.post(f"/admin/accounts/user/{admin.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert user_in(company_a, COMPANY_A.admin_email)


def test_a_plain_user_can_be_deleted_by_the_admin(company_a):
    client = logged_in(company_a.primary_domain, COMPANY_A.admin_email)
    user = user_in(company_a, COMPANY_A.user_email)
    assert client.post(f"/admin/accounts/user/{user.pk}/delete/", {"post": "yes"}).status_code == 302
    with schema_context(company_a.schema_name):
        assert not User.objects.filter(email=COMPANY_A.user_email).exists()


def test_an_invalid_role_in_the_change_form_is_a_form_error(company_a):
    client = logged_in(company_a.primary_domain, COMPANY_A.admin_email)
    user = user_in(company_a, COMPANY_A.user_email)
    response = client.post(
        f"/admin/accounts/user/{user.pk}/change/",
        {"full_name": "", "language": "es", "role": "staff", "is_active": "on"},
    )
    assert response.status_code == 200 and "role" in response.context["adminform"].form.errors


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_login_pages_are_throttled_too(company_a, settings, path):
    settings.LOGIN_THROTTLE_RATE = "2/min"
    forget_cached_values()  # forget the logins of earlier tests
    client = web_client(company_a.primary_domain)
    body = {"username": COMPANY_A.admin_email, "password": "wrong"}
    responses = [client.post(path, body) for _ in range(3)]
    assert "Too many" not in responses[1].content.decode()
    third = responses[2].content.decode()
    assert "Demasiados intentos" in third or "Too many login attempts" in third
    good = client.post(path, {"username": COMPANY_A.admin_email, "password": PASSWORD})
    assert good.status_code == 200  # still refused while the limit lasts
