"""The admin's pages around the desk at 1280 and 1440 px, in headless Chromium: the entity form's
inline tables fit the page (issue 11 item 6). Screenshots go to artifacts/screenshots/."""

from io import StringIO

import pytest
from django.core.management import call_command

from entities.models import Entity

from .test_desk import login, make_driver, shots, user, wait  # noqa: F401 (make_driver is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def overflow(driver, css):
    """How many px the widest element matching ``css`` sticks out of the page's content area."""
    return driver.execute_script(
        "const main = document.querySelector('#content-main').getBoundingClientRect();"
        "return Math.max(0, ...Array.from(document.querySelectorAll(arguments[0]))"
        "  .map((e) => e.getBoundingClientRect().right - main.right));", css)


@pytest.mark.parametrize("width", [1280, 1440])
def test_the_entity_forms_roles_and_relations_fit_the_page(live_server, make_driver, settings, width):
    from selenium.webdriver.common.by import By

    settings.EDITOR_LANGUAGE_CODE = settings.LANGUAGE_CODE  # as editors see it: the default language
    call_command("load_demo", "--no-users", "--no-raw", verbosity=0, stdout=StringIO())
    user("editor", "ed")
    person = Entity.objects.filter(kind="person", roles__isnull=False).order_by("-pk").first()
    assert person is not None
    driver = make_driver()
    driver.set_window_size(width, 1000)
    login(driver, live_server.url, "ed")
    driver.get(f"{live_server.url}/admin/entities/entity/{person.pk}/change/")
    wait(driver, lambda d: d.find_element(By.ID, "roles-group"))
    if width == 1440:
        shots(driver, "entity-form")
    for group in ("#roles-group", "#relations_out-group", "#aliases-group"):
        assert overflow(driver, f"{group} table") <= 1, f"{group} sticks out at {width} px"
        scroll = driver.execute_script(
            "const e = document.querySelector(arguments[0] + ' .tabular'); return e ? e.scrollWidth - e.clientWidth : 0;",
            group)
        assert scroll <= 1, f"{group} scrolls sideways by {scroll} px at {width} px"
