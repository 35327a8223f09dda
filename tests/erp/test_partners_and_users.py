import io

import pytest
from django.core import mail
from django_tenants.utils import tenant_context
from PIL import Image

from erp.partners.models import Membership, Partner
from tests.conftest import login_tokens
from triboka.accounts.models import User


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), (120, 60, 20)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_admin_registers_a_partner_with_coordinates(erp_a):
    body = {
        "name": "Asociación Fortaleza del Valle",
        "kind": "supplier",
        "tax_id": "1300129499001",
        "province": "13",
        "canton": "Calceta",
        "latitude": "-0.846",
        "longitude": "-80.163",
    }
    response = erp_a.client("admin").post("/api/v1/partners/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["latitude"] == "-0.846000"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("tax_id", "1700000002"),
        ("tax_id", "170000000"),
        ("tax_id", "9900000001001"),
        ("kind", "broker"),
        ("latitude", "95"),
        ("province", "99"),
        ("email", "not-mail"),
    ],
)
def test_bad_partners_answer_400_with_the_field(erp_a, field, value):
    body = {"name": "X", "kind": "supplier", "tax_id": "1700000001", field: value}
    if field == "latitude":
        body["longitude"] = "-80"
    response = erp_a.client("admin").post("/api/v1/partners/", body, format="json")
    assert response.status_code == 400 and field in response.json(), response.content


def test_a_duplicate_tax_id_answers_400(erp_a):
    body = {"name": "Copia", "kind": "center", "tax_id": erp_a.partners["center"].tax_id}
    response = erp_a.client("admin").post("/api/v1/partners/", body, format="json")
    assert response.status_code == 400


def test_a_buyer_abroad_needs_no_ecuadorian_id_but_others_do(erp_a):
    client = erp_a.client("admin")
    assert (
        client.post(
            "/api/v1/partners/", {"name": "Chocolatier SA", "kind": "buyer"}, format="json"
        ).status_code
        == 201
    )
    response = client.post("/api/v1/partners/", {"name": "Finca", "kind": "supplier"}, format="json")
    assert response.status_code == 400 and "tax_id" in response.json()


def test_a_logo_must_be_a_real_image(erp_a):
    client = erp_a.client("admin")
    url = f"/api/v1/partners/{erp_a.partners['center'].pk}/"
    image = io.BytesIO(png_bytes())
    image.name = "logo.png"
    good = client.patch(url, {"logo": image}, format="multipart")
    assert good.status_code == 200, good.content
    fake = io.BytesIO(b"MZ\x90\x00 not an image")
    fake.name = "logo.png"
    bad = client.patch(url, {"logo": fake}, format="multipart")
    assert bad.status_code == 400 and "logo" in bad.json()


def test_the_logo_is_served_by_the_api_to_those_who_see_the_partner(erp_a, erp_b):
    partner = erp_a.partners["center"]
    image = io.BytesIO(png_bytes())
    image.name = "logo.png"
    erp_a.client("admin").patch(f"/api/v1/partners/{partner.pk}/", {"logo": image}, format="multipart")
    link = erp_a.client("center").get(f"/api/v1/partners/{partner.pk}/").json()["logo"]
    assert link == f"http://{erp_a.host}/api/v1/partners/{partner.pk}/logo/"
    served = erp_a.client("center").get(link)
    assert served.status_code == 200 and b"".join(served.streaming_content).startswith(b"\x89PNG")
    assert erp_a.client("supplier").get(link).status_code == 404
    assert erp_a.client(None).get(link).status_code == 401
    other = erp_b.client("admin")
    other.defaults["HTTP_HOST"] = erp_a.host
    assert other.get(link).status_code == 401  # B's token on A's site


def test_partner_users_see_only_their_partner(erp_a):
    names = [p["name"] for p in erp_a.client("center").get("/api/v1/partners/").json()["results"]]
    assert names == [erp_a.partners["center"].name]


def test_partners_of_company_a_are_404_on_company_b(erp_a, erp_b):
    with tenant_context(erp_a.company):
        only_in_a = Partner.objects.create(name="Solo A", kind="buyer")
    assert erp_b.client("admin").get(f"/api/v1/partners/{only_in_a.pk}/").status_code == 404


# --- users ------------------------------------------------------------------------------


def invite(world, **overrides):
    body = {
        "email": "Nueva.Persona@Finca.ec",
        "full_name": "Nueva Persona",
        "role": "supplier",
        "partner": world.partners["supplier2"].pk,
        **overrides,
    }
    return world.client("admin").post("/api/v1/users/", body, format="json")


def test_admin_invites_a_user_bound_to_a_partner(erp_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(erp_a)
    assert response.status_code == 201, response.content
    assert response.json()["partner"] == erp_a.partners["supplier2"].pk
    assert mail.outbox[-1].to == ["nueva.persona@finca.ec"]
    assert f"http://{erp_a.host}/accounts/set-password/" in mail.outbox[-1].body


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"partner": None}, "partner"),  # a supplier user needs its partner
        ({"role": "center"}, "partner"),  # a center user needs a center partner
        ({"role": "admin"}, "partner"),  # admins are not bound
        ({"role": "staff"}, "role"),
        ({"email": "nope"}, "email"),
        ({"email": "admin@alpha.test"}, "email"),  # taken
    ],
)
def test_bad_invitations_answer_400_and_create_nobody(erp_a, overrides, field):
    with tenant_context(erp_a.company):
        before = User.objects.count()
    response = invite(erp_a, **overrides)
    assert response.status_code == 400 and field in response.json(), response.content
    with tenant_context(erp_a.company):
        assert User.objects.count() == before


def test_admin_changes_role_and_partner(erp_a):
    user = erp_a.users["supplier"]
    response = erp_a.client("admin").patch(
        f"/api/v1/users/{user.pk}/", {"role": "center", "partner": erp_a.partners["center"].pk}, format="json"
    )
    assert response.status_code == 200, response.content
    with tenant_context(erp_a.company):
        assert Membership.objects.get(user=user).partner == erp_a.partners["center"]
        assert User.objects.get(pk=user.pk).role == "center"


def test_deactivating_a_user_stops_their_tokens_at_once(erp_a):
    user = erp_a.users["center"]
    access = login_tokens(erp_a.host, user.email)["access"]
    from tests.conftest import bearer

    assert bearer(erp_a.host, access).get("/api/v1/lots/").status_code == 200
    erp_a.client("admin").patch(f"/api/v1/users/{user.pk}/", {"is_active": False}, format="json")
    assert bearer(erp_a.host, access).get("/api/v1/lots/").status_code == 401


def test_the_last_admin_cannot_be_demoted_through_the_api(erp_a):
    admin = erp_a.users["admin"]
    response = erp_a.client("admin").patch(
        f"/api/v1/users/{admin.pk}/",
        {"role": "exporter", "partner": erp_a.partners["exporter"].pk},
        format="json",
    )
    assert response.status_code == 400 and "role" in response.json()


def test_the_user_list_makes_a_constant_number_of_queries(erp_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = erp_a.client("admin")
    client.get("/api/v1/users/")  # the first request also sets the connection's schema
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/users/?page_size=1")
    with CaptureQueriesContext(connection) as many:
        client.get("/api/v1/users/?page_size=100")
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]


def test_the_browsable_api_works_with_a_session_login(erp_a):
    from tests.conftest import PASSWORD, web_client

    client = web_client(erp_a.host)
    login = client.post("/api-auth/login/", {"username": erp_a.users["center"].email, "password": PASSWORD})
    assert login.status_code == 302
    page = client.get("/api/v1/lots/", HTTP_ACCEPT="text/html")
    assert page.status_code == 200 and erp_a.lots["center"].code.encode() in page.content
    assert erp_a.lots["supplier"].code.encode() not in page.content
