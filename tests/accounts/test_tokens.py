import jwt
import pytest
from django.conf import settings

from tests.conftest import (
    COMPANY_A,
    PASSWORD,
    STAFF_EMAIL,
    api_client,
    bearer,
    forget_cached_values,
    login_tokens,
    user_in,
)
from triboka.accounts.services import user_update


def claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def test_login_returns_tokens_bound_to_the_company_schema(company_a):
    tokens = login_tokens(company_a.primary_domain, COMPANY_A.admin_email)
    assert claims(tokens["access"])["schema"] == "alpha"
    assert claims(tokens["refresh"])["schema"] == "alpha"


def test_login_is_case_insensitive_on_the_email(company_a):
    assert login_tokens(company_a.primary_domain, COMPANY_A.admin_email.upper())["access"]


def test_wrong_password_answers_401(company_a):
    response = api_client(company_a.primary_domain).post(
        "/api/v1/auth/login/", {"email": COMPANY_A.admin_email, "password": "nope"}, format="json"
    )
    assert response.status_code == 401


def test_missing_fields_answer_400_with_field_errors(company_a):
    response = api_client(company_a.primary_domain).post("/api/v1/auth/login/", {}, format="json")
    assert response.status_code == 400
    assert {"email", "password"} <= set(response.json())


def test_a_user_of_company_a_cannot_log_in_on_company_b(company_b):
    response = api_client(company_b.primary_domain).post(
        "/api/v1/auth/login/", {"email": COMPANY_A.admin_email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 401


def test_access_token_works_on_its_own_company(company_a):
    access = login_tokens(company_a.primary_domain, COMPANY_A.user_email)["access"]
    response = bearer(company_a.primary_domain, access).get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["email"] == COMPANY_A.user_email


@pytest.mark.parametrize("where", ["company_b", "root"])
def test_access_token_of_company_a_is_refused_elsewhere(company_a, company_b, root_host, where):
    access = login_tokens(company_a.primary_domain, COMPANY_A.admin_email)["access"]
    host = company_b.primary_domain if where == "company_b" else root_host
    assert bearer(host, access).get("/api/v1/me/").status_code == 401


def test_a_forged_token_with_another_schema_claim_is_refused(company_a, company_b):
    access = login_tokens(company_a.primary_domain, COMPANY_A.admin_email)["access"]
    payload = {**claims(access), "schema": "beta"}
    unsigned = jwt.encode(payload, "an-attacker-key-that-is-long-enough-32", algorithm="HS256")
    assert bearer(company_b.primary_domain, unsigned).get("/api/v1/me/").status_code == 401


def test_refresh_rotates_and_the_old_refresh_token_stops_working(company_a):
    host = company_a.primary_domain
    old = login_tokens(host, COMPANY_A.admin_email)["refresh"]
    response = api_client(host).post("/api/v1/auth/refresh/", {"refresh": old}, format="json")
    assert response.status_code == 200
    new = response.json()
    assert new["refresh"] != old and new["access"]
    assert bearer(host, new["access"]).get("/api/v1/me/").status_code == 200
    reused = api_client(host).post("/api/v1/auth/refresh/", {"refresh": old}, format="json")
    assert reused.status_code == 401
    again = api_client(host).post("/api/v1/auth/refresh/", {"refresh": new["refresh"]}, format="json")
    assert again.status_code == 200


def test_refresh_token_of_company_a_is_refused_on_company_b(company_a, company_b):
    refresh = login_tokens(company_a.primary_domain, COMPANY_A.admin_email)["refresh"]
    response = api_client(company_b.primary_domain).post(
        "/api/v1/auth/refresh/", {"refresh": refresh}, format="json"
    )
    assert response.status_code == 401


def test_logout_blacklists_the_refresh_token(company_a):
    host = company_a.primary_domain
    refresh = login_tokens(host, COMPANY_A.admin_email)["refresh"]
    assert (
        api_client(host).post("/api/v1/auth/logout/", {"refresh": refresh}, format="json").status_code == 204
    )
    assert (
        api_client(host).post("/api/v1/auth/refresh/", {"refresh": refresh}, format="json").status_code == 401
    )


def test_logout_on_another_company_is_refused(company_a, company_b):
    refresh = login_tokens(company_a.primary_domain, COMPANY_A.admin_email)["refresh"]
    response = api_client(company_b.primary_domain).post(
        "/api/v1/auth/logout/", {"refresh": refresh}, format="json"
    )
    assert response.status_code == 401
    still_valid = api_client(company_a.primary_domain).post(
        "/api/v1/auth/refresh/", {"refresh": refresh}, format="json"
    )
    assert still_valid.status_code == 200


def test_garbage_refresh_token_answers_401(company_a):
    response = api_client(company_a.primary_domain).post(
        "/api/v1/auth/refresh/", {"refresh": "garbage"}, format="json"
    )
    assert response.status_code == 401


def test_deactivated_user_tokens_stop_working_at_once(company_a):
    host = company_a.primary_domain
    access = login_tokens(host, COMPANY_A.user_email)["access"]
    user = user_in(company_a, COMPANY_A.user_email)
    from django_tenants.utils import tenant_context

    with tenant_context(company_a):
        user_update(user=user, is_active=False)
    assert bearer(host, access).get("/api/v1/me/").status_code == 401


def test_profile_shows_name_language_role_and_company(company_a):
    access = login_tokens(company_a.primary_domain, COMPANY_A.user_email)["access"]
    data = bearer(company_a.primary_domain, access).get("/api/v1/me/").json()
    assert data["role"] == COMPANY_A.plain_role
    assert data["language"] == "es"
    assert data["company"] == {"name": company_a.name, "slug": "alpha", "kind": "exporter"}


def test_profile_name_and_language_are_editable(company_a):
    client = bearer(
        company_a.primary_domain, login_tokens(company_a.primary_domain, COMPANY_A.user_email)["access"]
    )
    response = client.patch("/api/v1/me/", {"full_name": "Ana Mora", "language": "en"}, format="json")
    assert response.status_code == 200
    assert response.json()["full_name"] == "Ana Mora"
    assert user_in(company_a, COMPANY_A.user_email).language == "en"


def test_profile_role_is_not_self_editable(company_a):
    client = bearer(
        company_a.primary_domain, login_tokens(company_a.primary_domain, COMPANY_A.user_email)["access"]
    )
    response = client.patch("/api/v1/me/", {"role": "admin"}, format="json")
    assert response.status_code == 400
    assert "role" in response.json()
    assert user_in(company_a, COMPANY_A.user_email).role == COMPANY_A.plain_role


def test_profile_rejects_an_unknown_language(company_a):
    client = bearer(
        company_a.primary_domain, login_tokens(company_a.primary_domain, COMPANY_A.user_email)["access"]
    )
    response = client.patch("/api/v1/me/", {"language": "fr"}, format="json")
    assert response.status_code == 400 and "language" in response.json()


def test_root_login_gives_staff_tokens_for_the_master_api(db, root_host):
    tokens = login_tokens(root_host, STAFF_EMAIL)
    assert claims(tokens["access"])["schema"] == "public"
    assert bearer(root_host, tokens["access"]).get("/api/master/companies/").status_code == 200
    assert bearer(root_host, tokens["access"]).get("/api/v1/me/").json()["company"] is None


def test_company_admin_cannot_use_the_master_api(company_a, root_host):
    access = login_tokens(company_a.primary_domain, COMPANY_A.admin_email)["access"]
    assert bearer(root_host, access).get("/api/master/companies/").status_code == 401
    assert bearer(company_a.primary_domain, access).get("/api/master/companies/").status_code == 404


def test_tokens_are_signed_with_the_configured_key(company_a):
    access = login_tokens(company_a.primary_domain, COMPANY_A.admin_email)["access"]
    jwt.decode(access, settings.SIMPLE_JWT["SIGNING_KEY"], algorithms=["HS256"])


def test_repeated_logins_are_throttled(company_a, settings):
    settings.LOGIN_THROTTLE_RATE = "2/min"
    forget_cached_values()  # forget the logins of earlier tests
    client = api_client(company_a.primary_domain)
    body = {"email": COMPANY_A.admin_email, "password": "wrong"}
    codes = [client.post("/api/v1/auth/login/", body, format="json").status_code for _ in range(3)]
    assert codes == [401, 401, 429]
