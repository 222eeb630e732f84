from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from articles.sitemaps import SITEMAPS
from articles.views import robots_txt
from newsroom.middleware import public_page

urlpatterns = [
    path("admin/", admin.site.urls),
    path("sitemap.xml", public_page(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots"),
]
# The traditional edition at unprefixed URLs, the simplified one under /zh-hans/.
urlpatterns += i18n_patterns(
    path("", include("articles.urls")),
    path("", include("entities.urls")),
    prefix_default_language=False,
)

# A busy or restarting database answers 503 "try again" (newsroom/errors.py), never a bare 500.
handler500 = "newsroom.errors.server_error"
