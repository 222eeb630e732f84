"""The editors' desk in headless Chromium: annotate, review and publish; a reporter cannot publish;
two editors saving the same story: the later save is refused and nothing is lost.

Screenshots of the annotation view go to artifacts/screenshots/. Skipped where Debian's chromium
and chromedriver are not installed.
"""

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from articles.models import Annotation, Article, Quote, Transition
from articles.services import story_import
from tests.factories import story_doc

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
         "--window-size=1440,1100", "--lang=zh-TW")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
PASSWORD = "pw-desk-browser-1"
# Section 03 gets a sentence after a CJK Extension B character (one code point, two UTF-16 units):
# a selection offset computed in UTF-16 would be off by one and the server would refuse it.
EXT_B_TEXT = "𠀋字開頭的一段：講者3號表示，釘釘要做大模型的試驗田。"
SENTENCE = "釘釘要做大模型的試驗田"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _have_chromium():
    return Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists() and shutil.which(CHROMEDRIVER)


@pytest.fixture
def make_driver():
    if not _have_chromium():
        pytest.skip("chromium and chromedriver are not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    drivers = []

    def make():
        options = Options()
        options.binary_location = CHROMIUM
        for flag in FLAGS:
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        driver.set_page_load_timeout(30)
        drivers.append(driver)
        return driver

    yield make
    for driver in drivers:
        driver.quit()


def wait(driver, condition, timeout=10):
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    # A page that reloads or redraws between finding an element and reading it is not a failure:
    # look again until the condition holds (or the time runs out).
    ignored = (NoSuchElementException, StaleElementReferenceException)
    return WebDriverWait(driver, timeout, ignored_exceptions=ignored).until(condition)


def shot(driver, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def shots(driver, name, widths=(1280, 1440)):
    """Screenshots of the whole page at each width: artifacts/screenshots/<name>-<width>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in widths:
        driver.set_window_size(width, 1000)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(width, min(max(height, 800), 6000))
        driver.save_screenshot(str(SCREENSHOTS / f"{name}-{width}.png"))
    driver.set_window_size(1440, 1100)


def login(driver, base, username):
    from selenium.webdriver.common.by import By

    driver.get(f"{base}/admin/login/?next=/admin/")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "input[type=submit], button[type=submit]").click()
    wait(driver, lambda d: "/admin/login/" not in d.current_url)


def user(role, username):
    from django.contrib.auth import get_user_model

    u = get_user_model().objects.create_user(username=username, password=PASSWORD, is_staff=True)
    u.groups.add(Group.objects.get(name=role))
    return u


def desk_story(status="draft", owner=None):
    """Three sections; section 03 has an unannotated sentence; a suggested quote and an open flag."""
    doc = story_doc(3, status=status)
    doc["article"]["sections"][2]["blocks"].insert(1, {"id": "p3b", "type": "paragraph", "text": EXT_B_TEXT})
    lede = doc["article"]["lede"][0]["text"]
    doc["quotes"].append({"id": "q9", "anchor": {"block": "p0", "start": 5, "end": 8, "exact": lede[5:8]},
                          "kind": "fragment", "speaker": "person-1", "status": "suggested"})
    doc["annotations"].append({"id": "flag-1", "anchor": {"block": "p0", "start": 0, "end": 4, "exact": lede[:4]},
                               "kind": "flag", "body": "亂碼無法修復", "public": False, "status": "open"})
    article = story_import(doc=doc).article
    if owner is not None:
        Article.objects.filter(pk=article.pk).update(owner=owner)
    return article


def open_desk(driver, base, article):
    driver.get(f"{base}/admin/articles/article/{article.pk}/desk/")
    wait(driver, lambda d: d.execute_script("return document.body.dataset.deskReady === '1'"))


def message(driver):
    return driver.find_element("id", "desk-message").text


def idle(*drivers):
    """Wait until the desk has no request in flight (the test database takes one writer at a time)."""
    for driver in drivers:
        wait(driver, lambda d: d.execute_script("return (document.body.dataset.deskBusy || '0') === '0'"))


def saved(driver, prefix="Saved"):
    wait(driver, lambda d: message(d).startswith(prefix))
    idle(driver)


def click_quote(driver, block):
    """Click the last piece of the quote in ``block`` (the first overlaps a mention and a note)."""
    driver.execute_script(
        "const s = document.querySelectorAll(`[data-block='${arguments[0]}'] .hl-quote`); s[s.length - 1].click();",
        block)


def test_editor_annotates_reviews_and_publishes(live_server, make_driver):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    call_command("setup_roles", verbosity=0)
    user("editor", "ed")
    article = desk_story()
    driver = make_driver()
    base = live_server.url
    login(driver, base, "ed")
    open_desk(driver, base, article)
    shot(driver, "desk-01-opened")

    # Select the sentence in section 03 with the keyboard: focus the paragraph, move, shift-select.
    para = driver.find_element(By.CSS_SELECTOR, '[data-block="p3b"]')
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].focus();", para)
    start = list(EXT_B_TEXT).index("釘")
    para.send_keys(*([Keys.ARROW_RIGHT] * start))
    keys = ActionChains(driver).key_down(Keys.SHIFT)
    for _ in SENTENCE:
        keys = keys.send_keys(Keys.ARROW_RIGHT)
    keys.key_up(Keys.SHIFT).perform()
    wait(driver, lambda d: SENTENCE in d.find_element(By.ID, "desk-selection-text").text)
    assert f"{start}–{start + len(SENTENCE)}" in driver.find_element(By.ID, "desk-selection-text").text
    shot(driver, "desk-02-selected")
    para.send_keys("q")
    speaker = wait(driver, lambda d: d.find_element(By.ID, "f-speaker"))
    speaker.send_keys("講者3")
    option = wait(driver, lambda d: next((b for b in d.find_elements(By.CSS_SELECTOR, "#f-speaker-list button")
                                          if "講者3號" in b.text), None))
    option.click()
    driver.find_element(By.ID, "f-quote-kind").send_keys("indirect")
    shot(driver, "desk-03-quote-form")
    driver.find_element(By.ID, "desk-save").click()
    saved(driver)
    quote = Quote.objects.get(article=article, exact=SENTENCE)
    assert (quote.start, quote.end, quote.speaker.name, quote.status) == (start, start + len(SENTENCE), "講者3號",
                                                                         "confirmed")
    assert driver.find_elements(By.CSS_SELECTOR, '[data-block="p3b"] .hl-quote')

    # Accept the importer's suggested quote, then resolve the flag, from the open list.
    driver.find_element(By.XPATH, "//ul[@id='desk-open-list']//button[starts-with(., 'Suggested quote')]").click()
    wait(driver, lambda d: d.find_element(By.ID, "desk-accept").is_displayed())
    driver.find_element(By.ID, "desk-accept").click()
    saved(driver, "Suggestion accepted")
    driver.find_element(By.XPATH, "//ul[@id='desk-open-list']//button[starts-with(., 'flag')]").click()
    wait(driver, lambda d: d.find_element(By.ID, "desk-resolve").is_displayed())
    driver.find_element(By.ID, "desk-resolve").click()
    saved(driver, "Resolved")
    assert Quote.objects.get(article=article, key="q9").status == "confirmed"
    assert Annotation.objects.get(article=article, key="flag-1").status == "resolved"
    shot(driver, "desk-04-reviewed")

    # Publish (the checks page asks for confirmation when something is still open).
    driver.find_element(By.CSS_SELECTOR, ".desk-action-publish").click()
    summary = wait(driver, lambda d: d.find_element(By.ID, "desk-confirm-summary"))
    assert "First publication" in summary.text
    shot(driver, "desk-05-publish-confirmation")
    shots(driver, "publish-confirmation")
    driver.find_element(By.ID, "desk-publish-confirm").click()
    wait(driver, lambda d: "/desk/" in d.current_url and d.find_elements(By.CSS_SELECTOR, "[data-status=published]"))
    shot(driver, "desk-06-published")
    assert Transition.objects.filter(article=article, to_status="published").exists()

    driver.get(f"{base}/stories/{article.slug}/")
    quoted = driver.find_elements(By.XPATH, f"//q[contains(., '{SENTENCE}')]")
    assert quoted, "the new quote is not on the reader page"
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", quoted[0])
    shot(driver, "reader-01-published-quote")


def test_mouse_selection_after_extension_b_character(live_server, make_driver):
    from selenium.webdriver.common.by import By

    call_command("setup_roles", verbosity=0)
    user("editor", "ed")
    article = desk_story()
    driver = make_driver()
    login(driver, live_server.url, "ed")
    open_desk(driver, live_server.url, article)
    # A mouse selection is a DOM Range over the paragraph's text nodes (UTF-16 offsets).
    driver.execute_script("""
        const p = document.querySelector('[data-block="p3b"]');
        const node = p.firstChild, text = node.textContent, at = text.indexOf(arguments[0]);
        const range = document.createRange();
        range.setStart(node, at); range.setEnd(node, at + arguments[0].length);
        const s = window.getSelection(); s.removeAllRanges(); s.addRange(range);
        p.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
    """, "試驗田")
    wait(driver, lambda d: "試驗田" in d.find_element(By.ID, "desk-selection-text").text)
    driver.find_element(By.ID, "desk-make-annotation").click()
    driver.find_element(By.ID, "f-note-kind").send_keys("context")
    driver.find_element(By.ID, "f-body").send_keys("阿里內部的試點。")
    driver.find_element(By.ID, "desk-save").click()
    saved(driver)
    note = Annotation.objects.get(article=article, exact="試驗田")
    at = list(EXT_B_TEXT).index("試")
    assert (note.start, note.end, note.kind) == (at, at + 3, "context")
    assert note.block.text[note.start:note.end] == "試驗田"

    # The keyboard opens what is under the caret: Enter inside quote q1 (past the words it shares).
    from selenium.webdriver.common.keys import Keys

    para = driver.find_element(By.CSS_SELECTOR, '[data-block="p1"]')
    driver.execute_script("arguments[0].focus()", para)
    para.send_keys(*([Keys.ARROW_RIGHT] * 15), Keys.ENTER)
    wait(driver, lambda d: d.find_element(By.ID, "desk-form-title").text == "quote q1")
    shot(driver, "desk-07-keyboard-open")


def test_reporter_cannot_publish(live_server, make_driver):
    from selenium.webdriver.common.by import By

    call_command("setup_roles", verbosity=0)
    reporter = user("reporter", "rep")
    article = desk_story(owner=reporter)
    driver = make_driver()
    login(driver, live_server.url, "rep")
    open_desk(driver, live_server.url, article)
    shot(driver, "desk-reporter")
    assert not driver.find_elements(By.CSS_SELECTOR, ".desk-action-publish")
    assert driver.find_elements(By.CSS_SELECTOR, ".desk-action-submit")
    # A crafted POST from the reporter's own session is refused on the server.
    status = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const body = new URLSearchParams({action: 'publish', version: arguments[0], confirm: 'yes',
            csrfmiddlewaretoken: document.querySelector('[name=csrfmiddlewaretoken]').value});
        fetch(arguments[1], {method: 'POST', body, credentials: 'same-origin'}).then(r => done(r.status));
    """, article.version, f"/admin/articles/article/{article.pk}/transition/")
    assert status == 403
    article.refresh_from_db()
    assert article.status == "draft" and not Article.objects.live().exists()
    assert not Transition.objects.exists()


def test_two_editors_later_save_is_refused_and_nothing_is_lost(live_server, make_driver):
    from selenium.webdriver.common.by import By

    call_command("setup_roles", verbosity=0)
    user("editor", "ann")
    user("editor", "ben")
    article = desk_story()
    a, b = make_driver(), make_driver()
    base = live_server.url
    login(a, base, "ann")
    login(b, base, "ben")
    change = f"{base}/admin/articles/article/{article.pk}/change/"
    a.get(change)
    b.get(change)

    a.find_element(By.ID, "id_title").clear()
    a.find_element(By.ID, "id_title").send_keys("安改的標題")
    a.find_element(By.NAME, "_continue").click()
    wait(a, lambda d: "安改的標題" in d.find_element(By.ID, "id_title").get_attribute("value"))

    b.find_element(By.ID, "id_dek").clear()
    b.find_element(By.ID, "id_dek").send_keys("本寫的新導語")
    b.find_element(By.NAME, "_continue").click()
    conflict = wait(b, lambda d: d.find_element(By.ID, "desk-conflict"))
    b.execute_script("arguments[0].scrollIntoView()", conflict)
    shot(b, "change-form-conflict")
    assert "ann" in conflict.text
    assert b.find_element(By.ID, "id_dek").get_attribute("value") == "本寫的新導語"  # kept what B typed
    article.refresh_from_db()
    assert article.title == "安改的標題" and article.dek != "本寫的新導語"  # A's save intact, B's not applied

    # The same in the desk: both change the same quote; the later save is refused, the typed text kept.
    open_desk(a, base, article)
    open_desk(b, base, article)
    for driver, role in ((a, "安的角色"), (b, "本的角色")):
        click_quote(driver, "p1")
        wait(driver, lambda d: d.find_element(By.ID, "f-role").is_displayed())
        driver.find_element(By.ID, "f-role").clear()
        driver.find_element(By.ID, "f-role").send_keys(role)
    a.find_element(By.ID, "desk-save").click()
    saved(a)
    b.find_element(By.ID, "desk-save").click()
    wait(b, lambda d: "ann" in d.find_element(By.ID, "desk-form-error").text)
    shot(b, "desk-conflict")
    assert b.find_element(By.ID, "f-role").get_attribute("value") == "本的角色"
    assert Quote.objects.get(article=article, key="q1").role == "安的角色"

    # Different annotations of the same story: both keep their work.
    click_quote(a, "p2")
    wait(a, lambda d: d.find_element(By.ID, "f-role").is_displayed())
    a.find_element(By.ID, "f-role").clear()
    a.find_element(By.ID, "f-role").send_keys("二號的角色")
    click_quote(b, "p3")
    wait(b, lambda d: d.find_element(By.ID, "f-role").is_displayed())
    b.find_element(By.ID, "f-role").clear()
    b.find_element(By.ID, "f-role").send_keys("三號的角色")
    a.find_element(By.ID, "desk-save").click()
    saved(a)
    b.find_element(By.ID, "desk-save").click()
    saved(b)
    roles = dict(Quote.objects.filter(article=article, key__in=["q2", "q3"]).values_list("key", "role"))
    assert roles == {"q2": "二號的角色", "q3": "三號的角色"}


def test_clearing_the_raw_seed_drafts_suggested_mentions_of_one_entity(live_server, make_driver):
    from django.db.models import Count
    from selenium.webdriver.common.by import By

    from articles.management.commands.load_demo import RAW_SLUG
    from articles.models import Mention

    call_command("load_demo", "--no-users", verbosity=0, stdout=StringIO())
    user("editor", "ed")
    draft = Article.objects.working().get(slug=RAW_SLUG)
    suggested = Mention.objects.filter(article=draft, status="suggested")
    top = suggested.values("entity__slug").annotate(n=Count("id")).order_by("-n").first()
    assert top["n"] > 5, top
    before = suggested.count()
    driver = make_driver()
    login(driver, live_server.url, "ed")
    open_desk(driver, live_server.url, draft)
    selector = f"#desk-entity-rows tr[data-entity='{top['entity__slug']}']"
    row = wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, selector))
    assert row.find_element(By.CSS_SELECTOR, ".desk-count").text == str(top["n"])
    shots(driver, "desk-triage")
    row.find_element(By.CSS_SELECTOR, "[data-group-op=accept]").click()
    driver.switch_to.alert.accept()
    wait(driver, lambda d: message(d).startswith(f"Accepted {top['n']}"))
    idle(driver)
    assert not suggested.filter(entity__slug=top["entity__slug"]).exists()
    assert suggested.count() == before - top["n"]
    confirmed = Mention.objects.filter(article=draft, entity__slug=top["entity__slug"], status="confirmed")
    assert confirmed.count() >= top["n"]
    wait(driver, lambda d: not d.find_elements(By.CSS_SELECTOR, selector))

    # The next open item, by keyboard: opened in the form, scrolled to and marked in the text.
    driver.find_element(By.TAG_NAME, "body").send_keys("]")
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#desk-story .desk-hl-current"))
    assert driver.find_element(By.ID, "desk-form").is_displayed()

    # The review queue, grouped by entity, with one action per entity.
    driver.get(f"{live_server.url}/admin/articles/article/review/?group=entity")
    rows = driver.find_elements(By.CSS_SELECTOR, "#desk-entity-groups tbody tr")
    assert rows
    shots(driver, "review-queue-by-entity")
    driver.get(f"{live_server.url}/admin/articles/article/review/?group=kind")
    driver.find_element(By.ID, "desk-queue-all").click()
    boxes = driver.find_elements(By.CSS_SELECTOR, "#desk-queue input[name=item]")
    assert boxes and all(b.is_selected() for b in boxes)
    shots(driver, "review-queue")


def test_a_paragraph_edited_in_the_desk_keeps_its_quote_on_its_words(live_server, make_driver):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    call_command("setup_roles", verbosity=0)
    user("editor", "ed")
    article = desk_story()
    q1 = Quote.objects.get(article=article, key="q1")
    driver = make_driver()
    login(driver, live_server.url, "ed")
    open_desk(driver, live_server.url, article)
    para = driver.find_element(By.CSS_SELECTOR, '[data-block="p1"]')
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].focus();", para)
    para.send_keys("e")
    area = wait(driver, lambda d: d.find_element(By.ID, "desk-edit-text"))
    area.send_keys(Keys.CONTROL, Keys.HOME)
    area.send_keys("據本刊報導，")
    shots(driver, "desk-paragraph-edit")
    driver.find_element(By.ID, "desk-edit-save").click()
    wait(driver, lambda d: message(d).startswith("Paragraph p1 saved"))
    idle(driver)
    moved = Quote.objects.get(pk=q1.pk)
    assert moved.block.text.startswith("據本刊報導，")
    assert (moved.start, moved.end, moved.exact) == (q1.start + 6, q1.end + 6, q1.exact)
    # The page shows the new text with the quote highlighted on the same words.
    wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, '[data-block="p1"]').text.startswith("據本刊報導，"))
    quoted = driver.execute_script(
        "return Array.from(document.querySelectorAll(`[data-block='p1'] .hl-quote`)).map(s => s.textContent).join('')")
    assert q1.exact in quoted


def test_the_desk_publish_button_meets_the_gate_and_an_editor_overrides_with_a_logged_reason(live_server, make_driver):
    from selenium.webdriver.common.by import By

    call_command("setup_roles", verbosity=0)
    user("editor", "ed")
    article = desk_story()  # an open flag: a blocking check
    driver = make_driver()
    login(driver, live_server.url, "ed")
    open_desk(driver, live_server.url, article)
    driver.find_element(By.CSS_SELECTOR, ".desk-action-publish").click()
    blocking = wait(driver, lambda d: d.find_element(By.ID, "publish-blocking"))
    assert "flag-1" in blocking.text
    assert not Transition.objects.exists()
    shots(driver, "publish-gate-blocked")
    driver.find_element(By.ID, "override-reason").send_keys("旗標是誤報，已人工核對。")
    driver.find_element(By.ID, "publish-confirm").click()
    wait(driver, lambda d: "/desk/" in d.current_url and d.find_elements(By.CSS_SELECTOR, "[data-status=published]"))
    step = Transition.objects.get(article=article, to_status="published")
    assert step.note.startswith("Override: 旗標是誤報，已人工核對。") and "flag" in step.note
