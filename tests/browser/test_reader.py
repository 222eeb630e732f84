"""A reader's path through the site in headless Chromium, with axe-core and screenshots."""

import pytest
from selenium.webdriver.common.by import By

from articles.importing.story import parse_story
from articles.management.commands.load_demo import DATA_DIR
from articles.services import story_import

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def edition(transactional_db):
    """The bundled edition of the story, published."""
    path = next(DATA_DIR.glob("*.story.json"))
    return story_import(doc=parse_story(path.read_bytes())).article


def click(browser, element):
    """Scroll an element to the middle of the window and click it, as a reader would."""
    browser.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element)
    element.click()


def describe(violations):
    return "\n".join(f"{v['id']}: {v.get('help')} ({len(v.get('nodes', []))} nodes: "
                     f"{[n.get('target') for n in v.get('nodes', [])[:3]]})" for v in violations)


def test_reader_journey(live_server, browser, screenshot, edition):
    base = live_server.url
    # Home → story
    browser.get(base + "/")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-Hant"
    click(browser, browser.find_element(By.CSS_SELECTOR, ".story-card-title a"))
    assert "/stories/" in browser.current_url
    assert browser.find_element(By.CSS_SELECTOR, "h1").text.startswith("從M6到通義千問2.0")
    # The table of contents reaches section 03.
    click(browser, browser.find_element(By.CSS_SELECTOR, ".toc a[href='#s03']"))
    assert browser.current_url.endswith("#s03")
    # A quote's speaker → their page.
    speaker = browser.find_element(By.CSS_SELECTOR, ".quote-attribution a.speaker, .pull-quote a.speaker")
    name = speaker.text
    click(browser, speaker)
    assert "/entities/" in browser.current_url
    assert browser.find_element(By.CSS_SELECTOR, "h1").text == name
    # A passage that mentions them → back in the story at that paragraph.
    passage = browser.find_element(By.CSS_SELECTOR, "a.passage")
    target = passage.get_attribute("href").split("#")[1]
    click(browser, passage)
    assert browser.current_url.endswith("#" + target)
    assert browser.find_element(By.ID, target).is_displayed()
    # Search, in simplified script, finds the traditional text.
    browser.get(base + "/search/")
    box = browser.find_element(By.ID, "q")
    box.send_keys("阿里云")
    box.submit()
    results = browser.find_elements(By.CSS_SELECTOR, ".results .result")
    assert results and browser.find_element(By.CSS_SELECTOR, ".results mark").text == "阿里雲"
    # The simplified edition, through the switch.
    click(browser, browser.find_element(By.CSS_SELECTOR, ".script-switch a[hreflang='zh-Hans']"))
    assert "/zh-hans/search/" in browser.current_url
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-Hans"
    assert browser.find_element(By.CSS_SELECTOR, "h1").text == "搜寻"
    browser.get(base + "/zh-hans" + edition.get_absolute_url())
    assert "通义千问" in browser.find_element(By.CSS_SELECTOR, "h1").text
    click(browser, browser.find_element(By.CSS_SELECTOR, ".script-switch a[hreflang='zh-Hant']"))
    assert "通義千問" in browser.find_element(By.CSS_SELECTOR, "h1").text


def test_notes_are_reachable_by_keyboard(live_server, browser, edition):
    browser.get(live_server.url + edition.get_absolute_url())
    ref = browser.find_element(By.CSS_SELECTOR, "a.note-ref")
    note_id = ref.get_attribute("href").split("#")[1]
    ref.send_keys("\n")  # Enter on the focused link
    assert browser.current_url.endswith("#" + note_id)
    assert browser.find_element(By.ID, note_id).is_displayed()


@pytest.mark.parametrize("page", ["story", "entity", "search", "home", "entities", "quotes"])
def test_pages_have_no_accessibility_violations(live_server, browser, axe, screenshot, edition, page):
    urls = {"story": edition.get_absolute_url(), "entity": "/entities/zhou-jingren/", "search": "/search/?q=阿里云",
            "home": "/", "entities": "/entities/", "quotes": "/quotes/"}
    for prefix in ("", "/zh-hans"):
        browser.get(live_server.url + prefix + urls[page])
        violations = axe()
        assert violations == [], describe(violations)
    browser.get(live_server.url + urls[page])
    for width in (375, 1280):
        screenshot(page, width)
        # Nothing spills sideways on a phone.
        if width == 375:
            browser.set_window_size(375, 900)
            overflow = browser.execute_script(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
            browser.set_window_size(1280, 900)
            assert overflow <= 0, f"{page} is {overflow}px too wide at 375px"


def test_dark_scheme_and_print_stylesheet_exist(live_server, browser, edition):
    browser.get(live_server.url + edition.get_absolute_url())
    rules = browser.execute_script(
        "return Array.from(document.styleSheets).flatMap(s => Array.from(s.cssRules))"
        ".filter(r => r.media).map(r => r.media.mediaText)")
    assert any("prefers-color-scheme: dark" in r for r in rules) and any("print" in r for r in rules)
