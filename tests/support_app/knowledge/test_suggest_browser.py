"""help_suggest.js in headless Chromium: typing in the help centre's search box lists the
matching articles while typing (the ticket form's subject uses the same script)."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from support.knowledge.demo import knowledge_demo_populate
from support.knowledge.models import Article
from tests.e2e.conftest import browser  # noqa: F401  (fixture)
from tests.e2e.test_browser import log_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def demo_articles(django_db_blocker):
    """Committed (the browser's server reads them from another process), removed afterwards."""
    with django_db_blocker.unblock():
        before = set(Article.objects.values_list("pk", flat=True))
        assert knowledge_demo_populate() > 0 and knowledge_demo_populate() == 0  # idempotent
        yield
        Article.objects.exclude(pk__in=before).delete()


def test_typing_a_question_suggests_articles(browser, daphne_site, live_company, demo_articles):  # noqa: F811
    _company, logins = live_company
    log_in(browser, daphne_site, logins["admin"])
    browser.get(f"{daphne_site}/help/")
    browser.find_element(By.CSS_SELECTOR, "input[data-suggest-articles]").send_keys("fermentacion del cacao")
    box = browser.find_element(By.CSS_SELECTOR, "[data-article-suggestions]")
    WebDriverWait(browser, 10).until(
        lambda _driver: box.is_displayed() and box.find_elements(By.TAG_NAME, "a")
    )
    links = box.find_elements(By.TAG_NAME, "a")
    assert links[0].text == "Humedad y fermentación: límites para recibir un lote"
    assert links[0].get_attribute("href").endswith("/help/humedad-fermentacion/")
