from __future__ import annotations

from django.urls import path

from amity.core import views
from amity.web import views as web_views

app_name = "core"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("workspaces/switch/", views.switch_workspace, name="switch_workspace"),
    # Filled in by the admin screens.
    path("account/", web_views.home, name="account"),
    path("audit/", web_views.home, name="audit_log"),
    path("members/", web_views.home, name="members"),
    path("roles/", web_views.home, name="roles"),
    path("workspace/", web_views.home, name="workspace_settings"),
]
