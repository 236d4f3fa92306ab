from __future__ import annotations

from django.urls import path

from amity.web import search_views, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", search_views.search, name="search"),
]
