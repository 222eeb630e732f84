"""The site's URLs. Apps are wired only by their URL modules (strings): this package imports no app."""

from django.contrib import admin
from django.urls import include, path

from .locale import edition_patterns

urlpatterns = [
    path("admin/", admin.site.urls),
    # Django's set_language view (POST): the admin header's language switch stores the editor's choice.
    path("i18n/", include("django.conf.urls.i18n")),
    # /sitemap.xml and /robots.txt: one for both scripts, at the root.
    path("", include("articles.site_urls")),
]
# The traditional edition at unprefixed URLs, the simplified one under /zh-hans/ (newsroom/locale.py).
urlpatterns += edition_patterns(
    path("", include("articles.urls")),
    path("", include("articles.entity_urls")),
)

# A busy or restarting database answers 503 "try again" (newsroom/errors.py), never a bare 500.
handler500 = "newsroom.errors.server_error"
