from django.urls import path

from newsroom.public_pages import public_page

from . import feeds, views

app_name = "articles"
urlpatterns = [
    path("", views.home, name="home"),
    path("stories/<slug:slug>/", views.story_detail, name="detail"),
    path("quotes/", views.quote_list, name="quotes"),
    path("search/", views.search, name="search"),
    path("feeds/stories.rss", public_page(feeds.LatestStoriesFeed()), name="feed-rss"),
    path("feeds/stories.atom", public_page(feeds.LatestStoriesAtomFeed()), name="feed-atom"),
]
