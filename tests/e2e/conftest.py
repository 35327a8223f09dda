"""End-to-end tests: headless Chromium (Debian's chromium + chromium-driver, driven by
Selenium) against daphne serving the test database on 127.0.0.1, on a company subdomain
(`<slug>.localhost`, which Chromium resolves to the loopback address by itself).

The company and its demo data are committed (a browser reads them through another
process), and deleted again at the end. ``--screenshots`` saves each role's dashboard
under docs/screenshots/.
"""

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_BINARY", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")


def _browser_missing() -> str | None:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not shutil.which(path):
            return f"{path} is not installed (make test installs Debian's chromium and chromium-driver)"
    return None


def new_driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1280,1000",
        "--lang=es",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    return driver


@pytest.fixture
def browser(daphne_site):
    if reason := _browser_missing():
        pytest.skip(reason)
    driver = new_driver()
    yield driver
    driver.quit()


@pytest.fixture
def second_browser(browser):
    """Another person at another computer (its own cookies)."""
    driver = new_driver()
    yield driver
    driver.quit()


@pytest.fixture
def screenshots(request):
    """Where to save screenshots when --screenshots is given, else None."""
    if not request.config.getoption("--screenshots"):
        return None
    folder = ROOT / "docs" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
