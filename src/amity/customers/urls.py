from __future__ import annotations

from django.urls import path

from amity.web import views as web_views

app_name = "customers"
urlpatterns = [
    # Filled in by the customer screens.
    path("companies/", web_views.home, name="company_list"),
    path("people/", web_views.home, name="person_list"),
    path("trash/", web_views.home, name="trash"),
]
