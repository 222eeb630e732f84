"""The entity pages' URLs (namespace ``entities``): the index from ``entities``, the page and its feed
from here (they list stories, which ``entities`` does not know)."""

from django.urls import path

from entities.views import entity_list
from newsroom.public_pages import public_page

from . import entity_views, feeds

app_name = "entities"
urlpatterns = [
    path("entities/", entity_list, name="list"),
    path("entities/<slug:slug>/", entity_views.entity_detail, name="detail"),
    path("entities/<slug:slug>/feed.rss", public_page(feeds.EntityStoriesFeed(), scopes=()), name="feed"),
]
