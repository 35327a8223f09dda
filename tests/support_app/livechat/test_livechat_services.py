"""Starting, answering, closing and converting live chats; the unanswered ones become
tickets by themselves once the wait in the system settings is over (clock shifted)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from master.platform.services import system_settings
from support.livechat import services
from support.livechat.models import Chat, ChatStatus
from support.livechat.tasks import chats_unanswered_to_tickets
from support.tickets.models import TicketSource
from support.tickets.services import Author
from triboka.errors import ApplicationError

from .conftest import OPEN_MOMENT, start_chat


def test_a_first_message_starts_a_chat_and_the_next_ones_join_it(company_a, requester_a):
    chat = start_chat(company_a, requester_a, "Hola")
    again = start_chat(company_a, requester_a, "¿Alguien por ahí?")
    assert again.pk == chat.pk and chat.status == ChatStatus.WAITING
    assert chat.company == company_a and chat.requester_user_id == requester_a.pk
    assert chat.requester_email == requester_a.email
    assert [m.body for m in chat.messages.all()] == ["Hola", "¿Alguien por ahí?"]


def test_outside_support_hours_no_chat_starts(company_a, requester_a):
    sunday = OPEN_MOMENT + timedelta(days=6)
    with pytest.raises(ApplicationError) as refused:
        start_chat(company_a, requester_a, now=sunday)
    assert refused.value.code == "support_offline"
    assert not Chat.objects.filter(company=company_a).exists()


def test_an_empty_or_huge_message_is_refused(company_a, requester_a):
    for body in ("   ", "x" * 4001):
        with pytest.raises(ValidationError) as refused:
            start_chat(company_a, requester_a, body)
        assert "body" in refused.value.message_dict


def test_the_first_staff_answer_takes_the_chat(company_a, requester_a, staff):
    chat = start_chat(company_a, requester_a)
    services.chat_message_post(chat=chat, author=Author.staff(staff), body="Buenos días, ¿en qué le ayudo?")
    chat.refresh_from_db()
    assert chat.status == ChatStatus.ACTIVE and chat.first_staff_answer_at is not None
    assert chat.staff_user_id == staff.pk and chat.staff_name == "Triboka Staff"


def test_an_unanswered_chat_becomes_a_ticket_with_its_transcript(company_a, requester_a):
    chat = start_chat(company_a, requester_a, "No puedo exportar el reporte de lotes")
    services.chat_message_post(chat=chat, author=Author.requester(requester_a), body="Es urgente")
    wait = system_settings().support_chat_wait_minutes
    assert services.chats_unanswered_convert(now=timezone.now() + timedelta(minutes=wait - 1)) == []

    [ticket] = services.chats_unanswered_convert(now=timezone.now() + timedelta(minutes=wait + 1))
    assert ticket.company == company_a and ticket.source == TicketSource.CHAT
    assert ticket.category == "question"
    assert ticket.requester_user_id == requester_a.pk and ticket.requester_email == requester_a.email
    assert "No puedo exportar el reporte de lotes" in ticket.subject
    transcript = ticket.messages.get().body
    assert "No puedo exportar el reporte de lotes" in transcript and "Es urgente" in transcript
    chat.refresh_from_db()
    assert chat.status == ChatStatus.CONVERTED and chat.ticket == ticket and chat.ended_at
    assert ticket.number in chat.messages.last().body  # the requester reads it in the chat
    assert services.chats_unanswered_convert(now=timezone.now() + timedelta(hours=1)) == []  # once


def test_a_chat_staff_answered_never_becomes_a_ticket_by_itself(company_a, requester_a, staff):
    chat = start_chat(company_a, requester_a)
    services.chat_message_post(chat=chat, author=Author.staff(staff), body="Aquí estoy")
    assert services.chats_unanswered_convert(now=timezone.now() + timedelta(hours=2)) == []
    chat.refresh_from_db()
    assert chat.status == ChatStatus.ACTIVE and chat.ticket is None


def test_the_periodic_task_converts_the_chats_left_waiting(company_a, requester_a, requester_b, company_b):
    old = start_chat(company_a, requester_a)
    fresh = start_chat(company_b, requester_b)
    Chat.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=1))
    numbers = chats_unanswered_to_tickets.delay().get()
    old.refresh_from_db(), fresh.refresh_from_db()
    assert numbers == [old.ticket.number] and fresh.status == ChatStatus.WAITING


def test_staff_convert_or_close_a_chat_and_then_it_takes_no_messages(company_a, requester_a, staff):
    chat = start_chat(company_a, requester_a)
    ticket = services.chat_convert(chat=chat)
    assert ticket.source == TicketSource.CHAT
    with pytest.raises(ApplicationError):
        services.chat_message_post(chat=chat, author=Author.requester(requester_a), body="¿Sigue ahí?")
    other = start_chat(company_a, requester_a)
    assert other.pk != chat.pk  # a new chat after the converted one
    services.chat_close(chat=other, author=Author.staff(staff))
    other.refresh_from_db()
    assert other.status == ChatStatus.CLOSED and other.ticket is None
    with pytest.raises(ApplicationError):
        services.chat_convert(chat=other)
