"""Live chat fixtures: requesters of companies A and B, the master staff member, and a
moment when support is open (chat_start takes the moment, so no clock is frozen)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from master.platform.services import system_settings_cache_clear, system_settings_update
from support.livechat import services
from support.tickets.services import Requester
from tests.conftest import COMPANY_A, COMPANY_B, STAFF_EMAIL, user_in
from tests.e2e.conftest import browser, second_browser  # noqa: F401 (the browser test's fixtures)
from triboka.accounts.models import User

# A Monday at 10:00 in Guayaquil: inside the default support hours (Monday to Friday, 8 to 18).
OPEN_MOMENT = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("America/Guayaquil"))


def start_chat(company, user, body: str = "Hola, necesito ayuda", now=OPEN_MOMENT):
    return services.chat_start(company=company, requester=Requester.of(user), body=body, now=now)


def support_hours_set(*, open_now: bool) -> None:
    """Support open all day every day, or closed all of today (whatever the hour)."""
    if open_now:
        system_settings_update(
            support_weekdays="1234567",
            support_hours_start=datetime.time(0, 0),
            support_hours_end=datetime.time(23, 59, 59),
        )
    else:
        today = str(timezone.localtime().isoweekday())
        system_settings_update(support_weekdays="".join(day for day in "1234567" if day != today))
    system_settings_cache_clear()


@pytest.fixture
def requester_a(company_a):
    return user_in(company_a, COMPANY_A.user_email)


@pytest.fixture
def requester_b(company_b):
    return user_in(company_b, COMPANY_B.user_email)


@pytest.fixture
def staff(db):
    return User.objects.get(email=STAFF_EMAIL)
