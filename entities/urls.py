from django.urls import path

from newsroom.middleware import public_page

from . import feeds, views

app_name = "entities"
urlpatterns = [
    path("entities/", views.entity_list, name="list"),
    path("entities/<slug:slug>/", views.entity_detail, name="detail"),
    path("entities/<slug:slug>/feed.rss", public_page(feeds.EntityStoriesFeed()), name="feed"),
]
