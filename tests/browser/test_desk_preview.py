"""Preview pages in headless Chromium (issue 11 item 6): a share link's page carries an unmistakable
預覽/草稿 banner with the link's expiry, still in view after scrolling to the end of the story, at
1280 and 1440 px. Screenshots: artifacts/screenshots/preview-<width>.png."""

import pytest
from django.utils import timezone

from articles.services import preview_link_create, preview_link_signed

from .test_desk import desk_story, make_driver, shots, wait  # noqa: F401 (make_driver is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_share_links_page_says_preview_draft_and_until_when(live_server, make_driver, settings):
    from selenium.webdriver.common.by import By

    settings.EDITOR_LANGUAGE_CODE = settings.LANGUAGE_CODE  # as a visitor gets it: the default language

    article = desk_story()
    link = preview_link_create(article=article, days=3)
    until = timezone.localtime(link.expires_at).strftime("%Y-%m-%d %H:%M")
    driver = make_driver()
    driver.get(f"{live_server.url}/admin/articles/article/shared/{article.pk}/{preview_link_signed(link)}/")
    banner = wait(driver, lambda d: d.find_element(By.ID, "preview-banner"))
    assert "預覽" in banner.text and "草稿" in banner.text and until in banner.text
    assert driver.title.startswith("【預覽】")
    for width in (1280, 1440):
        driver.set_window_size(width, 900)
        driver.execute_script("window.scrollTo(0, document.documentElement.scrollHeight)")
        wait(driver, lambda d: d.execute_script("return window.scrollY") > 300)
        # Sticky: at the top of the window, over the end of the story, and impossible to miss.
        box = driver.execute_script(
            "const r = document.getElementById('preview-banner').getBoundingClientRect();"
            "const s = getComputedStyle(document.getElementById('preview-banner'));"
            "return {top: r.top, height: r.height, width: r.width, bg: s.backgroundImage + s.backgroundColor,"
            "        hit: document.elementFromPoint(r.x + 10, r.y + r.height / 2).closest('#preview-banner') !== null};")
        assert abs(box["top"]) <= 1 and box["hit"], box
        assert box["height"] >= 40 and box["width"] >= width * 0.6, box
        assert "179, 38, 30" in box["bg"], box  # the red stripes
        driver.execute_script("window.scrollTo(0, 0)")
    shots(driver, "preview")
