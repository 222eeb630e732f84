from django.urls import path

from . import views

app_name = "articles"
urlpatterns = [
    path("stories/<slug:slug>/", views.story_detail, name="detail"),
]
