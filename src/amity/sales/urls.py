from __future__ import annotations

from django.urls import path

from amity.sales import views, views_leads, views_rules

app_name = "sales"
urlpatterns = [
    path("deals/", views.pipelines, name="pipelines"),
    path("deals/list/", views.deal_list, name="deal_list"),
    path("deals/new/", views.deal_create, name="deal_create"),
    path("deals/settings/", views.sales_settings, name="settings"),
    path("deals/pipelines/<int:pk>/", views.board, name="board"),
    path("deals/pipelines/<int:pk>/funnel/", views.funnel, name="funnel"),
    path("deals/<int:pk>/", views.deal_detail, name="deal_detail"),
    path("deals/<int:pk>/edit/", views.deal_edit, name="deal_edit"),
    path("deals/<int:pk>/move/", views.deal_move, name="deal_move"),
    path("deals/<int:pk>/delete/", views.deal_delete, name="deal_delete"),
    path("leads/", views_leads.lead_list, name="lead_list"),
    path("leads/new/", views_leads.lead_create, name="lead_create"),
    path("leads/import/", views_leads.lead_import, name="lead_import"),
    path("leads/<int:pk>/", views_leads.lead_detail, name="lead_detail"),
    path("leads/<int:pk>/convert/", views_leads.lead_convert, name="lead_convert"),
    path("leads/form/<str:key>/", views_leads.lead_form, name="lead_form"),
]

# Lead rules, lead editing and the people on a deal (views_rules).
urlpatterns += [
    path("leads/rules/", views_rules.lead_rules, name="lead_rules"),
    path(
        "leads/rules/assignment/<int:pk>/",
        views_rules.assignment_rule_edit,
        name="assignment_rule_edit",
    ),
    path(
        "leads/rules/assignment/<int:pk>/delete/",
        views_rules.assignment_rule_delete,
        name="assignment_rule_delete",
    ),
    path(
        "leads/rules/classification/<int:pk>/",
        views_rules.classification_rule_edit,
        name="classification_rule_edit",
    ),
    path(
        "leads/rules/classification/<int:pk>/delete/",
        views_rules.classification_rule_delete,
        name="classification_rule_delete",
    ),
    path("leads/rules/scoring/<int:pk>/", views_rules.scoring_rule_edit, name="scoring_rule_edit"),
    path(
        "leads/rules/scoring/<int:pk>/delete/",
        views_rules.scoring_rule_delete,
        name="scoring_rule_delete",
    ),
    path("leads/<int:pk>/edit/", views_rules.lead_edit, name="lead_edit"),
    path("deals/<int:pk>/people/", views_rules.deal_person_add, name="deal_person_add"),
    path("deals/people/<int:pk>/", views_rules.deal_person_edit, name="deal_person_edit"),
    path(
        "deals/people/<int:pk>/remove/", views_rules.deal_person_remove, name="deal_person_remove"
    ),
]

from amity.sales import views_quotes  # noqa: E402 - appended with the quotes feature

urlpatterns += [
    path("products/", views_quotes.product_list, name="product_list"),
    path("products/<int:pk>/edit/", views_quotes.product_edit, name="product_edit"),
    path("price-lists/", views_quotes.price_list_list, name="price_list_list"),
    path("price-lists/<int:pk>/", views_quotes.price_list_detail, name="price_list_detail"),
    path("deals/<int:pk>/quotes/new/", views_quotes.quote_create, name="quote_create"),
    path("deals/settings/quotes/", views_quotes.quote_settings, name="quote_settings"),
    path("quotes/<int:pk>/", views_quotes.quote_detail, name="quote_detail"),
    path("quotes/<int:pk>/pdf/", views_quotes.quote_pdf_view, name="quote_pdf"),
    path("quotes/<int:pk>/send/", views_quotes.quote_send, name="quote_send"),
    path("quotes/<int:pk>/delete/", views_quotes.quote_delete, name="quote_delete"),
    path("quotes/<int:pk>/reissue/", views_quotes.quote_reissue, name="quote_reissue"),
    path("q/<str:token>/", views_quotes.quote_public, name="quote_public"),
]
