"""The reader's edition (issue 13) in headless Chromium: phone and desktop, both scripts.

Screenshots of the story, an entity page and /quotes/ at 390 and 1280 px in both scripts go to
artifacts/screenshots/issue13-<page>-<script>-<width>.png; axe-core finds nothing at either width.
"""

import re

import pytest
from selenium.webdriver.common.by import By

from tests.browser.test_reader import click, describe, edition  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = {"story": None, "entity": "/entities/zhou-jingren/", "quotes": "/quotes/"}
VISIBLE_TEXT = ("return Array.from(arguments[0].childNodes).filter(n => n.nodeType === 3 || "
                "!n.classList.contains('visually-hidden')).map(n => n.textContent).join('').trim()")


@pytest.mark.parametrize("page", list(PAGES))
def test_screenshots_and_accessibility_at_phone_and_desktop_widths(live_server, browser, axe, screenshot, edition,
                                                                    page):
    path = PAGES[page] or edition.get_absolute_url()
    for prefix, script in (("", "zh-hant"), ("/zh-hans", "zh-hans")):
        browser.get(live_server.url + prefix + path)
        for width in (390, 1280):
            browser.set_window_size(width, 900)
            violations = axe()
            assert violations == [], f"{page} {script} {width}px\n" + describe(violations)
            overflow = browser.execute_script(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{page} {script} is {overflow}px too wide at {width}px"
            screenshot(f"issue13-{page}-{script}", width)


def test_note_numbers_are_consecutive(live_server, browser, edition):
    browser.get(live_server.url + edition.get_absolute_url())
    refs = [browser.execute_script(VISIBLE_TEXT, a) for a in browser.find_elements(By.CSS_SELECTOR, "a.note-ref-context")]
    labels = [a.get_attribute("textContent") for a in browser.find_elements(By.CSS_SELECTOR, ".note-context .note-label")]
    assert refs == [str(n) for n in range(1, len(refs) + 1)] and len(refs) > 20
    assert labels == refs
    # sic marks carry no number: the house mark, upright
    sic = browser.find_element(By.CSS_SELECTOR, "a.note-ref-sic")
    assert sic.text == "〔原文如此〕" and sic.value_of_css_property("font-style") == "normal"


def test_quotation_marks_follow_the_house_style_in_both_scripts(live_server, browser, edition):
    browser.get(live_server.url + edition.get_absolute_url())
    assert "「賣鏟子」" in browser.find_element(By.TAG_NAME, "h1").text
    browser.get(live_server.url + "/zh-hans" + edition.get_absolute_url())
    assert "“卖铲子”" in browser.find_element(By.TAG_NAME, "h1").text


def test_on_a_phone_notes_collapse_to_their_number_and_open_on_tap(live_server, browser, edition):
    url = live_server.url + edition.get_absolute_url()
    browser.set_window_size(390, 900)
    try:
        browser.get(url)
        notes = browser.find_elements(By.CSS_SELECTOR, ".note-context")
        assert notes and not any(n.find_element(By.CSS_SELECTOR, ".note-text").is_displayed() for n in notes)
        height = "return document.documentElement.scrollHeight"
        collapsed = browser.execute_script(height)
        browser.execute_script("document.documentElement.classList.remove('js')")  # as without JavaScript
        expanded = browser.execute_script(height)
        browser.execute_script("document.documentElement.classList.add('js')")
        print(f"story at 390 px: {collapsed}px with notes collapsed, {expanded}px with every note open")
        assert collapsed < expanded - 1500  # measured: 15,230 px against 17,174 px; text alone 14,232 px
        # A tap on a reference in the text opens its note.
        first = notes[0]
        click(browser, browser.find_element(By.CSS_SELECTOR, f"a.note-ref[href='#{first.get_attribute('id')}']"))
        assert first.find_element(By.CSS_SELECTOR, ".note-text").is_displayed()
        # The keyboard too: Enter on a focused reference.
        second = notes[1]
        ref = browser.find_element(By.CSS_SELECTOR, f"a.note-ref[href='#{second.get_attribute('id')}']")
        browser.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", ref)
        ref.send_keys("\n")
        assert second.find_element(By.CSS_SELECTOR, ".note-text").is_displayed()
        # A tap on a collapsed number opens that note in place.
        third = notes[5]
        click(browser, third.find_element(By.CSS_SELECTOR, ".note-label"))
        assert third.find_element(By.CSS_SELECTOR, ".note-text").is_displayed()
        # Entity cards at the end read as whole sentences.
        for card in browser.find_elements(By.CSS_SELECTOR, ".story-people li p"):
            text = card.get_attribute("textContent")
            assert re.search(r"[。！？]$", text) and not text.endswith("…"), text
    finally:
        browser.set_window_size(1280, 900)
