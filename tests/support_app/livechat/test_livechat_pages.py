"""The chat widget on company pages (online and offline), its HTTP endpoints, who may read a
chat, and the staff pages in the master admin."""

from django_tenants.utils import schema_context, tenant_context

from support.livechat.models import Chat, ChatStatus
from tests.conftest import COMPANY_A, COMPANY_B, user_in, web_client
from triboka.accounts.models import User

from .conftest import start_chat, support_hours_set


def company_page(company, email: str):
    client = web_client(company.primary_domain)
    with tenant_context(company):
        client.force_login(User.objects.get(email=email))
    return client


def staff_page(root_host, staff):
    client = web_client(root_host)
    with schema_context("public"):
        client.force_login(staff)
    return client


def test_while_support_is_open_every_page_offers_the_chat(company_a):
    support_hours_set(open_now=True)
    page = company_page(company_a, COMPANY_A.user_email).get("/").content.decode()
    assert 'id="livechat"' in page and 'action="/support/chat/"' in page and 'name="body"' in page
    assert "data-livechat-offline" not in page


def test_outside_support_hours_the_widget_says_so_and_offers_a_ticket(company_a):
    support_hours_set(open_now=False)
    page = company_page(company_a, COMPANY_A.user_email).get("/").content.decode()
    assert "data-livechat-offline" in page and 'href="/support/tickets/new/"' in page
    assert "08:00–18:00" in page  # the hours
    assert 'action="/support/chat/"' not in page


def test_the_widgets_form_starts_a_chat(company_a, requester_a):
    support_hours_set(open_now=True)
    client = company_page(company_a, COMPANY_A.user_email)
    response = client.post("/support/chat/", {"body": "Hola"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["chat"]["status"] == "waiting"
    assert data["socket"] == f"/ws/support/chats/{data['chat']['id']}/"
    assert [m["body"] for m in data["messages"]] == ["Hola"]
    without_js = client.post("/support/chat/", {"body": "¿Hay alguien?", "next": "/lots/"})
    assert without_js.status_code == 302 and without_js["Location"] == "/lots/"
    assert Chat.objects.get(pk=data["chat"]["id"]).messages.count() == 2
    refused = client.post("/support/chat/", {"body": ""}, HTTP_ACCEPT="application/json")
    assert refused.status_code == 400 and "body" in refused.json()


def test_outside_hours_starting_a_chat_is_refused_with_a_reason(company_a):
    support_hours_set(open_now=False)
    client = company_page(company_a, COMPANY_A.user_email)
    response = client.post("/support/chat/", {"body": "Hola"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 409 and response.json()["code"] == "support_offline"


def test_only_its_requester_reads_a_chat(company_a, company_b, requester_a):
    chat = start_chat(company_a, requester_a, "Mi consulta privada")
    url = f"/support/chat/{chat.pk}/"
    own = company_page(company_a, COMPANY_A.user_email).get(url)
    assert own.status_code == 200 and own.json()["messages"][0]["body"] == "Mi consulta privada"
    assert company_page(company_a, COMPANY_A.admin_email).get(url).status_code == 404  # same company
    # Company B's user with the same id (ids repeat across schemas) on B's site: nothing.
    assert user_in(company_b, COMPANY_B.user_email).pk == requester_a.pk
    assert company_page(company_b, COMPANY_B.user_email).get(url).status_code == 404
    assert web_client(company_a.primary_domain).get(url).status_code == 302  # to the login page


def test_the_widget_shows_the_ticket_a_chat_became(company_a, requester_a):
    from support.livechat.services import chat_convert

    ticket = chat_convert(chat=start_chat(company_a, requester_a))
    page = company_page(company_a, COMPANY_A.user_email).get("/").content.decode()
    assert ticket.number in page and f'href="/support/tickets/{ticket.pk}/"' in page


def test_staff_see_waiting_chats_and_answer_convert_or_close_them_in_the_admin(
    root_host, staff, company_a, requester_a, company_b, requester_b
):
    chat = start_chat(company_a, requester_a, "¿Cómo cambio el precio FOB?")
    other = start_chat(company_b, requester_b, "Necesito un usuario más")
    client = staff_page(root_host, staff)
    live = client.get("/admin/support_livechat/chat/live/").content.decode()
    assert "¿Cómo cambio el precio FOB?" in live and company_a.name in live and company_b.name in live
    assert 'data-socket="/ws/support/staff/"' in live

    console = f"/admin/support_livechat/chat/{chat.pk}/console/"
    assert "¿Cómo cambio el precio FOB?" in client.get(console).content.decode()
    assert client.post(console, {"body": "En Demanda, precios FOB."}).status_code == 302
    chat.refresh_from_db()
    assert chat.status == ChatStatus.ACTIVE and chat.messages.last().body == "En Demanda, precios FOB."

    assert client.post(f"/admin/support_livechat/chat/{chat.pk}/convert/").status_code == 302
    chat.refresh_from_db()
    assert chat.status == ChatStatus.CONVERTED
    assert "En Demanda, precios FOB." in chat.ticket.messages.get().body
    client.post(f"/admin/support_livechat/chat/{other.pk}/close/")
    other.refresh_from_db()
    assert other.status == ChatStatus.CLOSED
    assert client.get("/admin/support_livechat/chat/").status_code == 200
    assert client.get(f"/admin/support_livechat/chat/{chat.pk}/change/").status_code == 200


def test_the_admin_chat_pages_are_for_staff_only(root_host, company_a, requester_a):
    chat = start_chat(company_a, requester_a)
    anonymous = web_client(root_host)
    for url in ("/admin/support_livechat/chat/live/", f"/admin/support_livechat/chat/{chat.pk}/console/"):
        response = anonymous.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert anonymous.post(f"/admin/support_livechat/chat/{chat.pk}/convert/").status_code == 302
    chat.refresh_from_db()
    assert chat.status == ChatStatus.WAITING
    # The company site has no staff pages at all.
    company = company_page(company_a, COMPANY_A.admin_email)
    assert company.get("/admin/support_livechat/chat/live/").status_code == 404
