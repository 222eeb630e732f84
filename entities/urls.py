from django.urls import path

from . import views

app_name = "entities"
urlpatterns = [
    path("entities/<slug:slug>/", views.entity_detail, name="detail"),
]
