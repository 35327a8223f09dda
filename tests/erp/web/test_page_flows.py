"""What users do on the pages: forms that keep their input on errors, numbers in the
user's locale, status buttons, uploads with clear refusals, downloads through signed links."""

from decimal import Decimal

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from erp.calculator.models import Calculation
from erp.contracts.models import Contract
from erp.demo import minimal_pdf
from erp.documents.models import Document, DocumentAccess
from erp.lots.models import Lot, LotEvent
from triboka.accounts.models import User

from .conftest import page_client


def test_a_center_registers_a_lot_in_quintales_with_a_decimal_comma(erp_a):
    client = page_client(erp_a, "center")
    response = client.post(
        "/lots/new/",
        {"variety": "nacional", "weight_qq": "12,50", "humidity_percent": "7,25", "status": "received"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    with tenant_context(erp_a.company):
        lot = Lot.objects.get(pk=response["Location"].split("/")[-2])
        assert lot.owner == erp_a.partners["center"]  # a center's lots are its own
        assert lot.weight_kg == Decimal("566.99") and lot.humidity_percent == Decimal("7.25")
        assert LotEvent.objects.filter(lot=lot, action="created", actor=erp_a.users["center"]).exists()
    detail = client.get(response["Location"]).content.decode()
    assert "12,50 qq" in detail and "566,99 kg" in detail


def test_a_refused_form_keeps_what_the_user_typed(erp_a):
    client = page_client(erp_a, "exporter")
    response = client.post(
        "/contracts/new/",
        {
            "exporter": erp_a.partners["exporter"].pk,
            "counterparty": erp_a.partners["center"].pk,
            "variety": "nacional",
            "volume_tm": "25,5",
            "price_type": "fixed",
            "delivery_from": "2026-12-01",
            "delivery_to": "2026-11-01",
            "notes": "Entrega en Guayaquil",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Entrega en Guayaquil" in body and 'value="25,5"' in body
    assert "precio" in body.lower() or "price" in body.lower()  # the fixed price is missing
    with tenant_context(erp_a.company):
        assert not Contract.objects.filter(notes="Entrega en Guayaquil").exists()


def test_status_buttons_show_only_the_allowed_transitions_and_work(erp_a):
    contract = erp_a.contracts["center"]  # active
    client = page_client(erp_a, "exporter")
    body = client.get(f"/contracts/{contract.pk}/").content.decode()
    assert 'value="in_execution"' in body and 'value="cancelled"' in body
    assert 'value="fulfilled"' not in body and 'value="draft"' not in body
    assert client.post(f"/contracts/{contract.pk}/transition/", {"status": "in_execution"}).status_code == 302
    refused = client.post(f"/contracts/{contract.pk}/transition/", {"status": "draft"}, follow=True)
    assert "«" in refused.content.decode()  # the message names the statuses
    with tenant_context(erp_a.company):
        assert Contract.objects.get(pk=contract.pk).status == "in_execution"
    center_page = page_client(erp_a, "center").get(f"/contracts/{contract.pk}/").content.decode()
    assert "/transition/" not in center_page
    assert (
        page_client(erp_a, "center")
        .post(f"/contracts/{contract.pk}/transition/", {"status": "cancelled"})
        .status_code
        == 403
    )


def test_a_lot_is_assigned_to_a_contract_from_its_page(erp_a):
    contract, lot = erp_a.contracts["center"], erp_a.lots["center"]
    response = page_client(erp_a, "admin").post(f"/contracts/{contract.pk}/lots/", {"lot": lot.code})
    assert response.status_code == 302, response.content.decode()
    with tenant_context(erp_a.company):
        assert Lot.objects.get(pk=lot.pk).contract_id == contract.pk


def test_uploads_are_checked_and_refusals_explained(erp_a, settings):
    contract = erp_a.contracts["center"]
    client = page_client(erp_a, "center")
    fake = SimpleUploadedFile(
        "factura.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"
    )
    refused = client.post(f"/contracts/{contract.pk}/documents/", {"kind": "invoice", "file": fake})
    assert refused.status_code == 400
    assert 'class="error"' in refused.content.decode()
    real = SimpleUploadedFile("guía.pdf", minimal_pdf("guía"), content_type="application/pdf")
    assert (
        client.post(
            f"/contracts/{contract.pk}/documents/", {"kind": "remission_guide", "file": real}
        ).status_code
        == 302
    )
    with tenant_context(erp_a.company):
        document = Document.objects.get(contract=contract)
        assert document.original_name == "guía.pdf"
    download = client.get(f"/documents/{document.pk}/download/")
    assert download.status_code == 302
    served = client.get(download["Location"])
    assert served.status_code == 200 and b"".join(served.streaming_content).startswith(b"%PDF")
    with tenant_context(erp_a.company):
        assert DocumentAccess.objects.filter(
            document=document, action="download", user=erp_a.users["center"]
        ).exists()
    assert page_client(erp_a, "supplier").get(f"/documents/{document.pk}/download/").status_code == 404


def test_the_calculator_page_prices_a_quintal_and_keeps_the_history(erp_a):
    client = page_client(erp_a, "supplier")
    response = client.post("/calculator/", {"spot": "6319", "differential_0": "200", "differential_1": "300"})
    body = response.content.decode()
    assert response.status_code == 200 and "277,55" in body and "273,02" in body
    assert client.post("/calculator/", {"spot": "0", "differential_0": "200"}).status_code == 400
    assert client.post("/calculator/", {"spot": "abc"}).status_code == 400
    with tenant_context(erp_a.company):
        assert Calculation.objects.filter(user=erp_a.users["supplier"]).count() == 1


def test_the_dashboard_draws_its_charts(erp_a):
    body = page_client(erp_a, "admin").get("/").content.decode()
    assert body.count("<svg") >= 5 and 'role="img"' in body


def test_an_admin_invites_a_user_by_e_mail(erp_a, django_capture_on_commit_callbacks):
    client = page_client(erp_a, "admin")
    invitation = {
        "email": "nuevo@finca.ec",
        "role": "supplier",
        "partner": erp_a.partners["supplier2"].pk,
        "language": "es",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/users/invite/", invitation)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert mail.outbox[-1].to == ["nuevo@finca.ec"]
    assert f"http://{erp_a.host}/accounts/set-password/" in mail.outbox[-1].body
    missing_partner = client.post(
        "/users/invite/", {"email": "otro@finca.ec", "role": "center", "language": "es"}
    )
    assert missing_partner.status_code == 200 and 'class="error' in missing_partner.content.decode()


def test_an_admin_deactivates_a_user(erp_a):
    person = erp_a.users["supplier"]
    response = page_client(erp_a, "admin").post(
        f"/users/{person.pk}/edit/",
        {"role": "supplier", "partner": erp_a.partners["supplier"].pk, "full_name": "", "language": "es"},
    )
    assert response.status_code == 302
    with tenant_context(erp_a.company):
        assert User.objects.get(pk=person.pk).is_active is False


def test_the_profile_switches_the_language(erp_a):
    client = page_client(erp_a, "center")
    assert client.post("/profile/", {"full_name": "Ana", "language": "en"}).status_code == 302
    assert "Contracts" in client.get("/contracts/").content.decode()
    client.post("/profile/", {"full_name": "Ana", "language": "es"})
    assert "Contratos" in client.get("/contracts/").content.decode()


def test_a_forgotten_password_sends_a_link_that_sets_a_new_one(erp_a):
    client = page_client(erp_a, None)
    assert (
        client.post("/accounts/password/forgotten/", {"email": erp_a.users["center"].email}).status_code
        == 302
    )
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/accounts/set-password/" in line)
    path = link.split(erp_a.host, 1)[1]
    form = client.get(path, follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": "Otra-clave-2026!", "new_password2": "Otra-clave-2026!"}
    )
    assert done.status_code == 302
    with tenant_context(erp_a.company):
        assert User.objects.get(pk=erp_a.users["center"].pk).check_password("Otra-clave-2026!")


def test_lists_are_paginated(erp_a):
    from erp.lots.services import lot_create

    with tenant_context(erp_a.company):
        for _ in range(30):
            lot_create(user=erp_a.users["admin"], owner=erp_a.partners["center"], weight_kg=100)
    client = page_client(erp_a, "center")
    first = client.get("/lots/").content.decode()
    assert 'rel="next"' in first
    assert client.get("/lots/?page=2").status_code == 200
    assert client.get("/lots/?page=99").status_code == 404


def _png() -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (4, 4), "brown").save(buffer, "PNG")
    return buffer.getvalue()


def test_a_partner_logo_is_served_to_those_who_see_the_partner_and_can_be_cleared(erp_a):
    partner = erp_a.partners["center"]
    admin = page_client(erp_a, "admin")
    form = {"name": partner.name, "kind": "center", "tax_id": partner.tax_id, "is_active": "on"}
    logo = SimpleUploadedFile("logo.png", _png(), content_type="image/png")
    assert admin.post(f"/partners/{partner.pk}/edit/", {**form, "logo": logo}).status_code == 302
    assert f"/partners/{partner.pk}/logo/" in admin.get("/partners/").content.decode()
    served = page_client(erp_a, "center").get(f"/partners/{partner.pk}/logo/")
    assert served.status_code == 200 and b"".join(served.streaming_content).startswith(b"\x89PNG")
    assert page_client(erp_a, "supplier").get(f"/partners/{partner.pk}/logo/").status_code == 404
    assert admin.post(f"/partners/{partner.pk}/edit/", {**form, "logo-clear": "on"}).status_code == 302
    with tenant_context(erp_a.company):
        partner.refresh_from_db()
        assert not partner.logo


def test_odd_query_strings_answer_pages_not_errors(erp_a):
    admin = page_client(erp_a, "admin")
    assert admin.get("/partners/?q=%00").status_code == 200
    assert admin.get("/users/?q=%00").status_code == 200
    assert admin.get("/lots/?page=99999999999999999999").status_code == 404
    refused = admin.get("/lots/?status=bogus").content.decode()
    assert 'role="alert"' in refused


def test_a_contract_with_a_party_deactivated_since_can_still_be_edited(erp_a):
    contract = erp_a.contracts["center"]
    with tenant_context(erp_a.company):
        center = erp_a.partners["center"]
        center.is_active = False
        center.save(update_fields=["is_active"])
    client = page_client(erp_a, "admin")
    page = client.get(f"/contracts/{contract.pk}/edit/")
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    data.update(exporter=contract.exporter_id, counterparty=center.pk, notes="Nota nueva")
    for field in ("signed_on", "delivery_from", "delivery_to"):
        if data.get(field):
            data[field] = data[field].isoformat()
    for field in ("volume_tm", "price_usd_per_tm", "differential_usd_per_tm"):
        if data.get(field) is not None:
            data[field] = str(data[field]).replace(".", ",")
    response = client.post(f"/contracts/{contract.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    with tenant_context(erp_a.company):
        assert Contract.objects.get(pk=contract.pk).notes == "Nota nueva"


def test_a_closed_contract_is_not_offered_for_editing(erp_a):
    contract = erp_a.contracts["supplier"]
    client = page_client(erp_a, "admin")
    client.post(f"/contracts/{contract.pk}/transition/", {"status": "cancelled"})
    response = client.get(f"/contracts/{contract.pk}/edit/", follow=True)
    assert response.redirect_chain and "no se puede editar" in response.content.decode()


def test_an_unknown_status_is_answered_with_a_message(erp_a):
    contract = erp_a.contracts["center"]
    response = page_client(erp_a, "admin").post(
        f"/contracts/{contract.pk}/transition/", {"status": "bogus"}, follow=True
    )
    assert 'class="error"' in response.content.decode()


def test_an_invited_user_can_ask_for_a_new_link_and_the_form_is_throttled(erp_a, settings):
    from erp.partners.services import user_invite

    with tenant_context(erp_a.company):
        user_invite(email="invitada@finca.ec", role="admin", base_url="http://x")
    client = page_client(erp_a, None)
    assert client.post("/accounts/password/forgotten/", {"email": "invitada@finca.ec"}).status_code == 302
    assert mail.outbox[-1].to == ["invitada@finca.ec"]
    settings.LOGIN_THROTTLE_RATE = "2/min"
    answers = [client.post("/accounts/password/forgotten/", {"email": "invitada@finca.ec"}) for _ in range(4)]
    assert answers[-1].status_code == 200 and 'role="alert"' in answers[-1].content.decode()


def test_the_timeline_reads_in_the_users_words(erp_a):
    lot = erp_a.lots["center"]
    body = page_client(erp_a, "admin").get(f"/lots/{lot.pk}/").content.decode()
    assert "A Centro de Acopio" in body and "Almacenado" in body and "100,00 qq" in body
    assert "weight_kg" not in body and "owner:" not in body


def test_the_contract_page_has_its_chat_and_posts_without_javascript(erp_a):
    contract = erp_a.contracts["center"]
    center = page_client(erp_a, "center")
    sent = center.post(f"/contracts/{contract.pk}/chat/", {"text": "Mañana llegan 40 qq"})
    assert sent.status_code == 302 and sent["Location"].endswith("#chat")
    page = page_client(erp_a, "exporter").get(f"/contracts/{contract.pk}/").content.decode()
    assert "Mañana llegan 40 qq" in page and "1 sin leer" in page
    refused = center.post(f"/contracts/{contract.pk}/chat/", {"text": "   "})
    assert refused.status_code == 400 and 'class="error"' in refused.content.decode()
    assert (
        page_client(erp_a, "supplier").post(f"/contracts/{contract.pk}/chat/", {"text": "hola"}).status_code
        == 404
    )


def test_the_bell_counts_unread_notifications_and_the_page_clears_them(
    erp_a, django_capture_on_commit_callbacks
):
    from erp.notifications.models import Notification

    with tenant_context(erp_a.company):
        Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        page_client(erp_a, "admin").post(
            f"/contracts/{erp_a.contracts['center'].pk}/transition/", {"status": "in_execution"}
        )
    center = page_client(erp_a, "center")
    assert "<span data-bell-count>1</span>" in center.get("/").content.decode()
    listed = center.get("/notifications/").content.decode()
    assert f"El contrato {erp_a.contracts['center'].code} está ahora" in listed
    assert center.post("/notifications/read/").status_code == 302
    assert "<span data-bell-count></span>" in center.get("/").content.decode()


def test_the_profile_page_sets_the_notification_choices(erp_a):
    from erp.notifications.services import preferences_of

    client = page_client(erp_a, "center")
    ticked = {"contract_status:in_app": "on", "chat_message:email": "on"}
    assert client.post("/notifications/preferences/", ticked).status_code == 302
    with tenant_context(erp_a.company):
        chosen = preferences_of(erp_a.users["center"])
    assert chosen[("contract_status", "in_app")] is True and chosen[("chat_message", "email")] is True
    assert chosen[("contract_status", "email")] is False and chosen[("lot_rejected", "in_app")] is False
    assert (
        'name="chat_message:email" id="pref-chat_message:email" checked'
        in client.get("/profile/").content.decode()
    )
