"""The raw seed draft's pre-publish checklist in headless Chromium (issue 11 item 5): a few groups
with counts, the long ones folded; a group's link opens its first item in the desk; accepting it
redraws the group one shorter."""

from io import StringIO

import pytest
from django.core.management import call_command

from articles.checks import article_checks
from articles.models import Article, Mention

from .test_desk import idle, login, make_driver, message, open_desk, shots, user, wait  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_raw_seeds_checklist_is_grouped_and_each_group_opens_its_first_item(live_server, make_driver):
    from selenium.webdriver.common.by import By

    from articles.management.commands.load_demo import RAW_SLUG

    call_command("load_demo", "--no-users", verbosity=0, stdout=StringIO())
    user("editor", "ed")
    draft = Article.objects.working().get(slug=RAW_SLUG)
    issues = article_checks(draft)
    mentions = [i for i in issues if i.code == "suggestion" and i.target.startswith("m")]
    assert len(issues) > 200 and len(mentions) > 150
    driver = make_driver()
    login(driver, live_server.url, "ed")
    open_desk(driver, live_server.url, draft)

    panel = driver.find_element(By.ID, "desk-issues")
    groups = panel.find_elements(By.CSS_SELECTOR, "details.desk-issue-group")
    assert 2 <= len(groups) <= 8
    assert panel.size["height"] < 600, panel.size  # it was ~220 lines
    group = panel.find_element(By.CSS_SELECTOR, "details[data-kind='suggestion:mention']")
    assert group.get_attribute("open") is None
    assert group.find_element(By.CSS_SELECTOR, ".desk-count").text == str(len(mentions))
    shots(driver, "desk-checklist")

    group.find_element(By.CSS_SELECTOR, ".desk-issue-first").click()
    first = Mention.objects.get(article=draft, key=mentions[0].target)
    wait(driver, lambda d: d.find_element(By.ID, "desk-form").is_displayed()
         and d.find_element(By.ID, "desk-form-title").text == f"mention {first.key}")
    assert driver.find_elements(By.CSS_SELECTOR, "#desk-story .desk-hl-current")
    driver.find_element(By.ID, "desk-accept").click()
    wait(driver, lambda d: message(d).startswith("Suggestion accepted"))
    idle(driver)
    first.refresh_from_db()
    assert first.status == "confirmed"
    wait(driver, lambda d: d.find_element(
        By.CSS_SELECTOR, "#desk-issues details[data-kind='suggestion:mention'] .desk-count").text == str(len(mentions) - 1))
    assert driver.find_element(By.CSS_SELECTOR, "#desk-issues details[data-kind='suggestion:mention']") \
        .get_attribute("open") is None  # still folded after the redraw
