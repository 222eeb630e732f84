"""Pages still work under the Content-Security-Policy: no violation reported, the scripts ran.

A listener for `securitypolicyviolation` is installed through the DevTools protocol before any page
script runs (DevTools scripts are not subject to the page's CSP), so every blocked script, style or
image on every page visited is recorded.
"""

import pytest
from django.contrib.auth import get_user_model
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.factories import story_doc

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pw-csp-browser-1"
RECORDER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') +
                              ' at ' + e.sourceFile + ':' + e.lineNumber);
});
"""


@pytest.fixture
def recording(browser):
    script = browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORDER})
    yield browser
    browser.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": script["identifier"]})
    browser.delete_all_cookies()


def violations(browser):
    return browser.execute_script("return window.__cspViolations || null;")


def test_public_admin_and_desk_pages_work_under_csp(live_server, recording):
    from articles.services import story_import

    browser = recording
    story = story_import(doc=story_doc(3)).article
    get_user_model().objects.create_superuser("csp-editor", password=PASSWORD)
    base = live_server.url
    seen = {}

    def visit(path, ready):
        browser.get(base + path)
        WebDriverWait(browser, 10).until(lambda d: ready(d))
        seen[path] = violations(browser)

    # Public pages: reader.js ran (it marks <html class="js">).
    for path in ("/", story.get_absolute_url(), "/entities/", "/search/?q=阿里", "/quotes/"):
        visit(path, lambda d: "js" in d.find_element(By.TAG_NAME, "html").get_attribute("class").split())
    # The admin login form (a real login, through the throttling backend).
    browser.get(base + "/admin/login/")
    browser.find_element(By.NAME, "username").send_keys("csp-editor")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda d: d.current_url.rstrip("/").endswith("/admin"))
    seen["/admin/login/"] = violations(browser)
    # The change form: the admin's own scripts ran (the inline "add another" rows are made by inlines.js).
    visit(f"/admin/articles/article/{story.pk}/change/",
          lambda d: d.find_elements(By.CSS_SELECTOR, ".add-row a") or d.find_elements(By.CSS_SELECTOR, "#content"))
    # The changelist with its action bar (actions.js).
    visit("/admin/articles/article/", lambda d: d.find_elements(By.CSS_SELECTOR, "#changelist-form"))
    # The desk: desk.js read its JSON data block and drew the highlights.
    visit(f"/admin/articles/article/{story.pk}/desk/", lambda d: d.find_elements(By.CSS_SELECTOR, ".hl-quote"))
    assert all(v == [] for v in seen.values()), {k: v for k, v in seen.items() if v}
    assert None not in seen.values()
