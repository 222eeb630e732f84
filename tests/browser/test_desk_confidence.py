"""The raw seed draft in the desk: accept every suggestion at or above a confidence, counted before
confirming (issue 11 item 2), in headless Chromium."""

from io import StringIO

import pytest
from django.core.management import call_command

from articles.models import Article, Mention, Quote, Revision

from .test_desk import idle, login, make_driver, message, open_desk, shots, user, wait  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_accepting_every_suggestion_at_or_above_a_confidence(live_server, make_driver):
    from selenium.webdriver.common.by import By

    from articles.management.commands.load_demo import RAW_SLUG

    call_command("load_demo", "--no-users", verbosity=0, stdout=StringIO())
    user("editor", "ed")
    draft = Article.objects.working().get(slug=RAW_SLUG)
    mentions = Mention.objects.filter(article=draft, status="suggested")
    quotes = Quote.objects.filter(article=draft, status="suggested")
    sure = mentions.filter(confidence__gte=0.95).count() + quotes.filter(confidence__gte=0.95).count()
    unsure = mentions.filter(confidence__lt=0.95).count() + quotes.filter(confidence__lt=0.95).count()
    assert sure > 20 and unsure > 20, (sure, unsure)  # the seed has both: the threshold decides

    driver = make_driver()
    login(driver, live_server.url, "ed")
    open_desk(driver, live_server.url, draft)
    box = driver.find_element(By.ID, "desk-confident")
    assert box.is_displayed()
    field = driver.find_element(By.ID, "desk-confidence")
    field.clear()
    field.send_keys("0.95")
    count = driver.find_element(By.ID, "desk-confident-count")
    wait(driver, lambda d: count.text.startswith(f"{sure} "))
    accept = driver.find_element(By.ID, "desk-confident-accept")
    assert accept.text == f"Accept all {sure}"
    shots(driver, "desk-by-confidence")
    accept.click()
    alert = driver.switch_to.alert
    assert str(sure) in alert.text and "0.95" in alert.text  # the count, before anything is written
    alert.accept()
    wait(driver, lambda d: message(d).startswith(f"Accepted {sure}"))
    idle(driver)
    assert not mentions.filter(confidence__gte=0.95).exists() and not quotes.filter(confidence__gte=0.95).exists()
    assert mentions.count() + quotes.count() == unsure  # below the threshold: still open
    assert Revision.objects.filter(article=draft).latest("number").action == "accept ≥0.95"
    wait(driver, lambda d: count.text.startswith("0 "))
    assert driver.find_element(By.ID, "desk-confident-accept").get_attribute("disabled")
