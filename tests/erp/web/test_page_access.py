"""Every page, for every role: the allowed roles see it, the others get the 403 page, and
what a partner may not see is 404 — exactly as the API decides (docs/permissions.md)."""

import pytest
from django_tenants.utils import tenant_context

from erp.lots.models import Lot
from erp.lots.services import lot_create
from erp.partners.models import Partner
from erp.partners.services import partner_create

from .conftest import page_client

ROLES = ["admin", "exporter", "center", "supplier"]
OK, NO, MISSING = 200, 403, 404


def everyone(status=OK):
    return dict.fromkeys(ROLES, status)


def only(*roles):
    return {role: OK if role in roles else NO for role in ROLES}


PAGES = [
    ("/", everyone()),
    ("/contracts/", everyone()),
    ("/contracts/new/", only("admin", "exporter")),
    ("/contracts/{contract_center}/", {"admin": OK, "exporter": OK, "center": OK, "supplier": MISSING}),
    ("/contracts/{contract_supplier}/", {"admin": OK, "exporter": OK, "center": MISSING, "supplier": OK}),
    ("/contracts/{contract_center}/edit/", only("admin", "exporter")),
    ("/lots/", everyone()),
    ("/lots/new/", only("admin", "exporter", "center")),
    ("/lots/{lot_center}/", {"admin": OK, "exporter": OK, "center": OK, "supplier": MISSING}),
    ("/lots/{lot_supplier}/", {"admin": OK, "exporter": OK, "center": MISSING, "supplier": OK}),
    ("/lots/{lot_center}/edit/", {"admin": OK, "exporter": OK, "center": OK, "supplier": NO}),
    ("/lots/{lot_supplier}/edit/", {"admin": OK, "exporter": OK, "center": MISSING, "supplier": NO}),
    ("/calculator/", everyone()),
    ("/demand/", everyone()),
    ("/demand/new/", only("admin", "exporter")),
    ("/partners/", everyone()),
    ("/partners/new/", only("admin")),
    ("/partners/{partner_center}/edit/", only("admin")),
    ("/users/", only("admin")),
    ("/users/invite/", only("admin")),
    ("/users/{user_center}/edit/", only("admin")),
    ("/profile/", everyone()),
    ("/notifications/", everyone()),
    # IoT pages without an object (those of a device, reading or import: tests/iot/test_pages.py)
    ("/iot/devices/", only("admin", "exporter", "center")),
    ("/iot/devices/new/", only("admin")),
    ("/iot/readings/", everyone()),
    ("/iot/imports/", only("admin", "exporter", "center")),
    ("/iot/imports/new/", only("admin", "exporter", "center")),
    # Support: every company user opens tickets and reads the help centre; only the
    # administrator grants remote access to Triboka support.
    ("/support/tickets/", everyone()),
    ("/support/tickets/new/", everyone()),
    ("/help/", everyone()),
    ("/support/remote/grants/", only("admin")),
]


def _url(template: str, world) -> str:
    return template.format(
        contract_center=world.contracts["center"].pk,
        contract_supplier=world.contracts["supplier"].pk,
        lot_center=world.lots["center"].pk,
        lot_supplier=world.lots["supplier"].pk,
        partner_center=world.partners["center"].pk,
        user_center=world.users["center"].pk,
    )


CASES = [(page, role, expected[role]) for page, expected in PAGES for role in ROLES]


@pytest.mark.parametrize(("page", "role", "expected"), CASES, ids=[f"{p} as {r}" for p, r, _ in CASES])
def test_page_access(erp_a, page, role, expected):
    response = page_client(erp_a, role).get(_url(page, erp_a))
    assert response.status_code == expected, response.content[:500]
    if expected == NO:
        assert "no tiene acceso" in response.content.decode()  # the friendly page, in Spanish


@pytest.mark.parametrize("page", [page for page, _ in PAGES])
def test_anonymous_visitors_are_sent_to_log_in(erp_a, page):
    response = page_client(erp_a, None).get(_url(page, erp_a))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_navigation_offers_only_the_pages_a_role_may_open(erp_a):
    supplier = page_client(erp_a, "supplier").get("/").content.decode()
    admin = page_client(erp_a, "admin").get("/").content.decode()
    assert 'href="/users/"' in admin and 'href="/users/"' not in supplier
    assert 'href="/lots/"' in supplier


def test_company_b_objects_are_404_on_company_a(erp_a, erp_b):
    """Ids of B that A does not have answer 404 on A's domain, and nothing of B shows."""
    with tenant_context(erp_a.company):
        a_lots = set(Lot.all_objects.values_list("pk", flat=True))
        a_partners = set(Partner.all_objects.values_list("pk", flat=True))
    with tenant_context(erp_b.company):  # ids that A does not have
        partner = partner_create(name="B Solo Partner", kind="buyer")
        while partner.pk in a_partners:
            partner = partner_create(name="B Solo Partner", kind="buyer")
        lot = lot_create(user=erp_b.users["admin"], owner=partner, weight_kg=100)
        while lot.pk in a_lots:
            lot = lot_create(user=erp_b.users["admin"], owner=partner, weight_kg=100)
    client = page_client(erp_a, "admin")
    for url in (f"/lots/{lot.pk}/", f"/lots/{lot.pk}/edit/", f"/partners/{partner.pk}/edit/"):
        assert client.get(url).status_code == 404, url
    for url in ("/lots/", "/contracts/", "/partners/", "/"):
        body = client.get(url).content.decode()
        assert "B Solo Partner" not in body and "B Finca" not in body and "B Centro" not in body


def test_a_session_of_company_a_is_not_a_session_on_company_b(erp_a, erp_b):
    client = page_client(erp_a, "admin")
    client.defaults["HTTP_HOST"] = erp_b.host
    response = client.get("/")
    assert response.status_code == 302  # not logged in there


def test_a_deactivated_user_is_logged_out_at_once(erp_a):
    client = page_client(erp_a, "exporter")
    assert client.get("/").status_code == 200
    with tenant_context(erp_a.company):
        user = erp_a.users["exporter"]
        user.is_active = False
        user.save(update_fields=["is_active"])
    assert client.get("/").status_code == 302
