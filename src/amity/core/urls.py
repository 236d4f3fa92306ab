from __future__ import annotations

from django.urls import path

from amity.core.views import account, audit_log, auth, members, notifications, roles, workspace

app_name = "core"
urlpatterns = [
    path("login/", auth.login_view, name="login"),
    path("login/verify/", auth.login_verify, name="login_verify"),
    path("logout/", auth.logout_view, name="logout"),
    path("password-reset/", auth.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        auth.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("notifications/", notifications.notification_list, name="notifications"),
    path(
        "notifications/<int:pk>/read/",
        notifications.notification_read,
        name="notification_read",
    ),
    path(
        "notifications/read/",
        notifications.notifications_read_all,
        name="notifications_read_all",
    ),
    path("account/", account.account, name="account"),
    path("account/email/", account.change_email, name="change_email"),
    path("account/password/", account.change_password, name="change_password"),
    path("account/sessions/end/", account.end_other_sessions, name="end_other_sessions"),
    path("account/2fa/", account.two_factor_setup, name="two_factor_setup"),
    path("account/2fa/disable/", account.two_factor_disable, name="two_factor_disable"),
    path("account/2fa/recovery-codes/", account.recovery_codes, name="recovery_codes"),
    path("account/tokens/", account.create_token, name="create_token"),
    path("account/tokens/<int:pk>/revoke/", account.revoke_token, name="revoke_token"),
    path("members/", members.member_list, name="members"),
    path("members/invite/", members.invite, name="invite"),
    path("members/<int:pk>/", members.member_update, name="member_update"),
    path("members/<int:pk>/deactivate/", members.member_deactivate, name="member_deactivate"),
    path("members/<int:pk>/reactivate/", members.member_reactivate, name="member_reactivate"),
    path("members/<int:pk>/sessions/end/", members.member_end_sessions, name="member_end_sessions"),
    path(
        "members/invitations/<int:pk>/revoke/",
        members.revoke_invitation,
        name="revoke_invitation",
    ),
    path("teams/", members.team_create, name="team_create"),
    path("teams/<int:pk>/", members.team_rename, name="team_rename"),
    path("invitations/<str:token>/", members.accept_invitation, name="accept_invitation"),
    path("roles/", roles.role_list, name="roles"),
    path("roles/<int:pk>/", roles.role_edit, name="role_edit"),
    path("workspace/", workspace.workspace_settings, name="workspace_settings"),
    path("workspaces/switch/", workspace.switch_workspace, name="switch_workspace"),
    path("audit/", audit_log.audit_log, name="audit_log"),
    path("audit/export.csv", audit_log.audit_export, name="audit_export"),
]
