"""A collection center and a supplier at work in a real browser (headless Chromium)."""

import time

import pytest
from django_tenants.utils import tenant_context
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from erp.contracts.models import Contract
from erp.contracts.services import contract_transition
from erp.demo import minimal_pdf
from erp.lots.models import Lot
from tests.conftest import LIVE_PASSWORD as PASSWORD
from triboka.accounts.models import User

pytestmark = pytest.mark.e2e


def log_in(browser, site: str, email: str) -> None:
    browser.get(f"{site}/accounts/login/")
    browser.find_element(By.NAME, "username").send_keys(email)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    try:
        WebDriverWait(browser, 15).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".kpis")))
    except TimeoutException:
        pytest.fail(
            f"no dashboard after logging in as {email}: {browser.current_url}\n{browser.page_source[:3000]}"
        )


def message(browser) -> str:
    """The confirmation the page shows after a form (the page's text when there is none)."""
    try:
        return (
            WebDriverWait(browser, 15)
            .until(EC.presence_of_element_located((By.CSS_SELECTOR, ".messages")))
            .text
        )
    except TimeoutException:
        pytest.fail(
            f"no confirmation on {browser.current_url}:\n{browser.find_element(By.TAG_NAME, 'main').text}"
        )


def test_a_center_registers_a_lot_uploads_a_document_and_prices_a_quintal(
    browser, daphne_site, live_company, tmp_path, screenshots
):
    company, logins = live_company
    log_in(browser, daphne_site, logins["center"])

    charts = browser.find_elements(By.CSS_SELECTOR, ".chart-card svg[role=img]")
    assert len(charts) == 5 and all(chart.size["width"] > 200 for chart in charts)
    if screenshots:
        browser.save_screenshot(str(screenshots / "dashboard-center.png"))

    browser.find_element(By.LINK_TEXT, "Lotes").click()
    browser.find_element(By.LINK_TEXT, "Registrar un lote").click()
    browser.find_element(By.NAME, "weight_qq").send_keys("42,75")
    browser.find_element(By.NAME, "humidity_percent").send_keys("7,1")
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    assert "registrado" in message(browser)
    code = browser.find_element(By.TAG_NAME, "h1").text.split()[-1]
    assert "42,75 qq" in browser.page_source and "Creado" in browser.page_source  # timeline
    with tenant_context(company):
        lot = Lot.objects.get(code=code)
        assert lot.owner.memberships.filter(user__email=logins["center"]).exists()

    browser.find_element(By.LINK_TEXT, "Contratos").click()
    browser.find_element(By.CSS_SELECTOR, "tbody tr td a").click()
    pdf = tmp_path / "guia-de-remision.pdf"
    pdf.write_bytes(minimal_pdf("Guía de remisión"))
    Select(browser.find_element(By.NAME, "kind")).select_by_value("remission_guide")
    browser.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(pdf))
    browser.find_element(By.CSS_SELECTOR, "form.upload button[type=submit]").click()
    assert "guia-de-remision.pdf" in message(browser)
    assert browser.find_element(By.LINK_TEXT, "guia-de-remision.pdf")

    executable = tmp_path / "factura.pdf"
    executable.write_bytes(b"MZ\x90\x00" + b"\x00" * 200)
    browser.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(executable))
    browser.find_element(By.CSS_SELECTOR, "form.upload button[type=submit]").click()
    refusal = browser.find_element(By.CSS_SELECTOR, "form.upload .error").text
    assert refusal  # the page says why the file was refused

    browser.find_element(By.LINK_TEXT, "Calculadora").click()
    browser.find_element(By.NAME, "spot").send_keys("6319")
    browser.find_element(By.NAME, "differential_0").send_keys("200")
    browser.find_element(By.NAME, "differential_1").send_keys("300")
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    result = browser.find_element(By.CSS_SELECTOR, "table.result").text
    assert "277,55" in result and "273,02" in result


def test_a_supplier_sees_only_its_own_lots(browser, daphne_site, live_company, screenshots):
    company, logins = live_company
    log_in(browser, daphne_site, logins["supplier"])
    if screenshots:
        browser.save_screenshot(str(screenshots / "dashboard-supplier.png"))
    browser.find_element(By.LINK_TEXT, "Lotes").click()
    shown = {cell.text for cell in browser.find_elements(By.CSS_SELECTOR, "tbody td:first-child a")}
    with tenant_context(company):
        supplier = User.objects.get(email=logins["supplier"])
        own = set(Lot.objects.filter(owner__memberships__user=supplier).values_list("code", flat=True))
        others = set(Lot.objects.exclude(owner__memberships__user=supplier).values_list("code", flat=True))
    assert shown and shown <= own
    assert not shown & others and others


@pytest.mark.parametrize("role", ["admin", "exporter"])
def test_the_company_side_dashboards(browser, daphne_site, live_company, screenshots, role):
    _company, logins = live_company
    log_in(browser, daphne_site, logins[role])
    assert len(browser.find_elements(By.CSS_SELECTOR, ".chart-card svg[role=img]")) == 5
    if screenshots:
        browser.save_screenshot(str(screenshots / f"dashboard-{role}.png"))


def test_the_contract_chat_is_live_between_two_people(browser, second_browser, daphne_site, live_company):
    company, logins = live_company
    with tenant_context(company):
        contract = Contract.objects.filter(counterparty__memberships__user__email=logins["center"]).first()
    for driver, role in ((browser, "center"), (second_browser, "exporter")):
        log_in(driver, daphne_site, logins[role])
        driver.get(f"{daphne_site}/contracts/{contract.pk}/#chat")
        WebDriverWait(driver, 15).until(
            EC.presence_of_element_located((By.CSS_SELECTOR, "section.chat.live"))
        )
    browser.find_element(By.CSS_SELECTOR, "section.chat textarea").send_keys("¿Despachan el lote mañana?")
    browser.find_element(By.CSS_SELECTOR, "section.chat button[type=submit]").click()
    for driver in (browser, second_browser):  # no reload: it came through the socket
        WebDriverWait(driver, 15).until(
            EC.text_to_be_present_in_element((By.CSS_SELECTOR, ".chat-log"), "¿Despachan el lote mañana?")
        )
    assert browser.current_url.endswith("#chat")


def test_the_bell_rings_live(browser, daphne_site, live_company, django_db_blocker):
    company, logins = live_company
    log_in(browser, daphne_site, logins["center"])
    WebDriverWait(browser, 5).until(
        lambda driver: driver.execute_script("return document.readyState") == "complete"
    )
    before = browser.find_element(By.CSS_SELECTOR, "[data-bell-count]").text or "0"
    time.sleep(0.5)  # the bell's socket is open
    with django_db_blocker.unblock(), tenant_context(company):
        contract = Contract.objects.filter(
            counterparty__memberships__user__email=logins["center"],
            status__in=["draft", "active", "in_execution"],
        ).first()
        admin = User.objects.get(email=logins["admin"])
        contract_transition(contract=contract, to_status="cancelled", user=admin)
    WebDriverWait(browser, 15).until(
        lambda driver: driver.find_element(By.CSS_SELECTOR, "[data-bell-count]").text == str(int(before) + 1)
    )
