"""Headless Chromium from Debian's packages, driven by Selenium through chromedriver.

The browser tests skip themselves where /usr/bin/chromium or /usr/bin/chromedriver is missing
(`make browser-deps` installs both); nothing is ever downloaded by a test tool. Screenshots go to
artifacts/screenshots/.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
# Without the network flags chromium waits for services this offline machine cannot reach.
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
         "--hide-scrollbars", "--lang=zh-TW")


def pytest_collection_modifyitems(config, items):
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    for item in items:
        if "tests/browser" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            if missing:
                item.add_marker(pytest.mark.skip(reason=f"not installed: {', '.join(missing)} (make browser-deps)"))


@pytest.fixture(scope="session")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    driver.set_window_size(1280, 900)
    yield driver
    driver.quit()


@pytest.fixture
def screenshot(browser):
    """Save a full-page screenshot of the current page at a width: artifacts/screenshots/<name>-<width>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name, width):
        browser.set_window_size(width, 900)
        height = browser.execute_script("return document.documentElement.scrollHeight")
        browser.set_window_size(width, min(max(height, 600), 8000))
        path = SCREENSHOTS / f"{name}-{width}.png"
        browser.save_screenshot(str(path))
        browser.set_window_size(1280, 900)
        return path

    return take


@pytest.fixture
def axe(browser):
    """Run axe-core in the current page; return its violations (skips when axe-core is not installed)."""
    if not AXE.exists():
        pytest.skip("axe-core not installed (make browser-deps)")
    source = AXE.read_text(encoding="utf-8")

    def run():
        browser.execute_script(source)
        result = browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations), e => done([{id: 'axe-error', help: String(e), nodes: []}]));")
        return result

    return run
