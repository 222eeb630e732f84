"""Site-wide URLs outside the script editions: the sitemap (both scripts inside) and robots.txt."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path

from newsroom.public_pages import public_page

from .sitemaps import SITEMAPS
from .views import robots_txt

urlpatterns = [
    path("sitemap.xml", public_page(sitemap, params=("p",)), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots"),
]
