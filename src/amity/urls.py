from __future__ import annotations

from django.urls import include, path

from amity.api import api
from amity.web import views as web_views

urlpatterns = [
    path("healthz", web_views.healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("amity.core.urls")),
    path("", include("amity.customers.urls")),
    path("", include("amity.activities.urls")),
    path("", include("amity.sales.urls")),
    path("", include("amity.web.urls")),
]

handler400 = "amity.web.views.bad_request"
handler403 = "amity.web.views.permission_denied"
handler404 = "amity.web.views.page_not_found"
handler500 = "amity.web.views.server_error"
