"""Live support chat in two real browsers (headless Chromium): a company user writes from the
widget on their dashboard, staff answer from the master admin on the root domain, the chat
becomes a ticket and the company side gets its link."""

import datetime
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from master.platform.services import system_settings_cache_clear, system_settings_row, system_settings_update
from support.livechat.models import Chat
from support.tickets.models import Ticket
from tests.conftest import PASSWORD, STAFF_EMAIL
from tests.e2e.test_browser import log_in

pytestmark = pytest.mark.e2e
HOURS = ("support_weekdays", "support_hours_start", "support_hours_end")


@pytest.fixture
def support_open(live_company, django_db_blocker):
    """Support staffed all day (committed, the live server reads it), as it was afterwards;
    the live company's chats and tickets go at the end."""
    company, _logins = live_company
    with django_db_blocker.unblock():
        row = system_settings_row()
        before = {field: getattr(row, field) for field in HOURS}
        system_settings_update(
            support_weekdays="1234567",
            support_hours_start=datetime.time(0, 0),
            support_hours_end=datetime.time(23, 59, 59),
        )
        yield
        system_settings_update(**before)
        system_settings_cache_clear()
        Chat.objects.filter(company=company).delete()
        Ticket.objects.filter(company=company).delete()


def wait_for(driver, css: str, text: str = "", seconds: int = 15):
    condition = (
        EC.text_to_be_present_in_element((By.CSS_SELECTOR, css), text)
        if text
        else EC.presence_of_element_located((By.CSS_SELECTOR, css))
    )
    try:
        WebDriverWait(driver, seconds).until(condition)
    except TimeoutException:
        pytest.fail(f"no {css!r} with {text!r} on {driver.current_url}:\n{driver.page_source[:3000]}")
    return driver.find_element(By.CSS_SELECTOR, css)


def chat_form_shown(driver) -> bool:
    """The live server reads the settings within SYSTEM_SETTINGS_MEMO_SECONDS: reload till then."""
    if driver.find_elements(By.CSS_SELECTOR, "[data-livechat-form]"):
        return True
    driver.refresh()
    return False


def test_a_company_user_and_staff_chat_and_the_chat_becomes_a_ticket(
    browser, second_browser, daphne_site, live_company, support_open
):
    _company, logins = live_company
    log_in(browser, daphne_site, logins["exporter"])
    memo = settings.SYSTEM_SETTINGS_MEMO_SECONDS
    WebDriverWait(browser, memo + 10, poll_frequency=1).until(chat_form_shown)
    browser.find_element(By.CSS_SELECTOR, "#livechat > summary").click()
    browser.find_element(By.ID, "livechat-body").send_keys("Hola, ¿cómo anulo un contrato?")
    browser.find_element(By.CSS_SELECTOR, "[data-livechat-form] button[type=submit]").click()
    wait_for(browser, "[data-livechat-log]", "¿cómo anulo un contrato?")

    root = f"http://{settings.BASE_DOMAIN}:{urlsplit(daphne_site).port}"
    staff = second_browser
    staff.get(f"{root}/admin/login/?next=/admin/support_livechat/chat/live/")
    staff.find_element(By.NAME, "username").send_keys(STAFF_EMAIL)
    staff.find_element(By.NAME, "password").send_keys(PASSWORD)
    staff.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()
    wait_for(staff, "#livechat-live tbody", "¿cómo anulo un contrato?")
    staff.find_element(By.CSS_SELECTOR, "#livechat-live tbody tr[data-chat] a").click()
    wait_for(staff, "[data-livechat-state]", "●")  # the console's socket is open
    staff.find_element(By.ID, "livechat-answer").send_keys("Desde el contrato, botón Anular.")
    staff.find_element(By.CSS_SELECTOR, "[data-livechat-form] [type=submit]").click()

    wait_for(browser, "[data-livechat-log] li.staff", "botón Anular")
    browser.find_element(By.ID, "livechat-body").send_keys("¡Gracias!")
    browser.find_element(By.CSS_SELECTOR, "[data-livechat-form] button[type=submit]").click()
    wait_for(staff, "[data-livechat-log]", "¡Gracias!")

    staff.find_element(By.CSS_SELECTOR, "[data-livechat-convert]").click()
    link = wait_for(browser, "[data-livechat-ticket] a", "SUP-")
    assert urlsplit(link.get_attribute("href")).path.startswith("/support/tickets/")
    ticket = Ticket.objects.get(number=link.text.split()[-1])
    assert "botón Anular" in ticket.messages.get().body
