from __future__ import annotations

from django.urls import path

from amity.activities import views

app_name = "activities"
urlpatterns = [
    path("people/<int:pk>/notes/", views.person_note_create, name="person_note_create"),
    path("companies/<int:pk>/notes/", views.company_note_create, name="company_note_create"),
    path("notes/<int:pk>/edit/", views.note_edit, name="note_edit"),
    path("notes/<int:pk>/delete/", views.note_delete, name="note_delete"),
]
