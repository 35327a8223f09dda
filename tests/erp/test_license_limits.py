"""A license's limits where they bind: inviting or reactivating users past the user limit
(400 on the field), storing files past the storage limit (413, nothing stored)."""

from django.test import Client
from django_tenants.utils import tenant_context

from erp.documents.models import Document
from master.licensing.limits import MB
from triboka.accounts.models import User

from .test_documents import PDF, upload
from .test_partners_and_users import invite


def _limit(company, **limits):
    license = company.licenses.get()
    for field, value in limits.items():
        setattr(license, field, value)
    license.save()


def _active_users(company) -> int:
    with tenant_context(company):
        return User.objects.filter(is_active=True).count()


def test_an_invitation_past_the_user_limit_is_refused_on_the_email(erp_a, erp_b):
    _limit(erp_a.company, max_users=_active_users(erp_a.company))
    refused = invite(erp_a)
    assert refused.status_code == 400, refused.content
    assert "usuarios activos" in refused.json()["email"][0]
    with tenant_context(erp_a.company):
        assert not User.objects.filter(email__iexact="nueva.persona@finca.ec").exists()
    # company B has its own license
    assert invite(erp_b).status_code == 201


def test_room_made_by_deactivating_a_user_lets_the_invitation_through(erp_a):
    _limit(erp_a.company, max_users=_active_users(erp_a.company))
    admin = erp_a.client("admin")
    supplier = erp_a.users["supplier"]
    assert (
        admin.patch(f"/api/v1/users/{supplier.pk}/", {"is_active": False}, format="json").status_code == 200
    )
    assert invite(erp_a).status_code == 201
    back = admin.patch(f"/api/v1/users/{supplier.pk}/", {"is_active": True}, format="json")
    assert back.status_code == 400 and "is_active" in back.json()  # reactivating counts too


def test_the_company_admin_site_refuses_a_user_past_the_limit(erp_a):
    _limit(erp_a.company, max_users=_active_users(erp_a.company))
    client = Client(HTTP_HOST=erp_a.host)
    with tenant_context(erp_a.company):
        client.force_login(erp_a.users["admin"])
    response = client.post(
        "/admin/accounts/user/add/",
        {"email": "otra@finca.ec", "full_name": "Otra", "role": "supplier", "language": "es"},
    )
    assert response.status_code == 200 and "usuarios activos" in response.content.decode()
    with tenant_context(erp_a.company):
        assert not User.objects.filter(email="otra@finca.ec").exists()


def test_a_file_past_the_storage_limit_answers_413_and_nothing_is_stored(erp_a):
    _limit(erp_a.company, max_storage_mb=1)
    client, contract = erp_a.client("admin"), erp_a.contracts["center"]
    big = PDF + b"%" + b"0" * int(0.6 * MB)
    assert upload(client, contract, big).status_code == 201
    refused = upload(client, contract, big)
    assert refused.status_code == 413, refused.content
    assert refused.json()["code"] == "storage_limit_reached" and "1 MB" in refused.json()["detail"]
    with tenant_context(erp_a.company):
        assert Document.objects.count() == 1
    assert upload(client, contract, PDF).status_code == 201  # a small one still fits
