from __future__ import annotations

from django.urls import path

from amity.customers import merge_views, timeline_views, views, views_data

app_name = "customers"
urlpatterns = [
    path("companies/", views.company_list, name="company_list"),
    path("companies/new/", views.company_create, name="company_create"),
    path("companies/options/", views.company_options, name="company_options"),
    path("companies/export/", views_data.company_export, name="company_export"),
    path("companies/<int:pk>/", views.company_detail, name="company_detail"),
    path("companies/<int:pk>/edit/", views.company_edit, name="company_edit"),
    path("companies/<int:pk>/delete/", views.company_delete, name="company_delete"),
    path("companies/<int:pk>/history/", views.company_history, name="company_history"),
    path(
        "companies/<int:pk>/timeline/",
        timeline_views.company_timeline,
        name="company_timeline",
    ),
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/export/", views_data.person_export, name="person_export"),
    path("people/<int:pk>/vcard/", views_data.person_vcard, name="person_vcard"),
    path(
        "people/<int:pk>/privacy/export/",
        views_data.person_privacy_export,
        name="person_privacy_export",
    ),
    path("people/<int:pk>/privacy/erase/", views_data.person_erase, name="person_erase"),
    path("exports/<int:pk>/", views_data.export_job, name="export_job"),
    path("exports/<int:pk>/download/", views_data.export_download, name="export_download"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/delete/", views.person_delete, name="person_delete"),
    path("people/<int:pk>/reveal/", views.person_reveal, name="person_reveal"),
    path("people/<int:pk>/history/", views.person_history, name="person_history"),
    path("people/<int:pk>/timeline/", timeline_views.person_timeline, name="person_timeline"),
    path("trash/", views.trash, name="trash"),
    path("duplicates/", merge_views.duplicate_list, name="duplicates"),
    path("duplicates/refresh/", merge_views.duplicate_refresh, name="duplicates_refresh"),
    path("duplicates/<int:pk>/dismiss/", merge_views.duplicate_dismiss, name="duplicate_dismiss"),
    path("people/<int:pk>/merge/", merge_views.person_merge, name="person_merge"),
    path("companies/<int:pk>/merge/", merge_views.company_merge, name="company_merge"),
    path("merges/<int:pk>/undo/", merge_views.merge_undo, name="merge_undo"),
    path("trash/people/<int:pk>/restore/", views.person_restore, name="person_restore"),
    path("trash/companies/<int:pk>/restore/", views.company_restore, name="company_restore"),
]
