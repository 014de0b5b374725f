"""URL map of the commentary web app."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from planwatch.web import user_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="web/password_reset_sent.html"),
        name="password_reset_done",
    ),
    path(
        "accounts/password/set/<uidb64>/<token>/",
        views.SetPasswordView.as_view(),
        name="password_reset_confirm",
    ),
    path("todo/", views.todo, name="todo"),
    path("slots/<int:pk>/", views.slot_edit, name="slot"),
    path("slots/<int:pk>/autosave/", views.slot_autosave, name="slot_autosave"),
    path("slots/<int:pk>/submit/", views.slot_submit, name="slot_submit"),
    path("slots/<int:pk>/withdraw/", views.slot_withdraw, name="slot_withdraw"),
    path("slots/<int:pk>/edit/", views.slot_analyst_edit, name="slot_analyst_edit"),
    path("slots/<int:pk>/approve/", views.slot_approve, name="slot_approve"),
    path("slots/<int:pk>/return/", views.slot_return, name="slot_return"),
    path("slots/<int:pk>/history/", views.slot_history, name="slot_history"),
    path("rounds/", views.rounds, name="rounds"),
    path("rounds/<int:pk>/", views.tracker, name="tracker"),
    path("rounds/<int:pk>/overview/", views.round_overview, name="round_overview"),
    path("rounds/<int:pk>/key-points/", views.key_points, name="key_points"),
    path("rounds/<int:pk>/chase/", views.chase, name="chase"),
    path("rounds/<int:pk>/publish/", views.publish, name="publish"),
    path("rounds/<int:pk>/revise/", views.revise, name="revise"),
    path("rounds/<int:pk>/preview/", views.preview, name="preview"),
    path("rounds/<int:pk>/deadline/", views.round_deadline, name="round_deadline"),
    path("rounds/<int:pk>/approver/", views.round_approver, name="round_approver"),
    path("rounds/<int:pk>/sign-off/", views.round_sign_off, name="sign_off"),
    path(
        "rounds/<int:pk>/departments/<slug:dept>/export.xlsx", views.export_xlsx, name="export_xlsx"
    ),
    path("rounds/<int:pk>/departments/<slug:dept>/import/", views.import_xlsx, name="import_xlsx"),
    path("users/", user_views.users, name="users"),
    path("users/unlock/", user_views.user_unlock, name="user_unlock"),
    path("users/<int:pk>/", user_views.user_edit, name="user_edit"),
    path("users/<int:pk>/invite/", user_views.user_invite, name="user_invite"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("published/", views.published, name="published"),
    path("published/<int:pk>/", views.published_version, name="published_version"),
    path("published/<int:pk>/generate/", views.regenerate, name="regenerate"),
    path("published/<int:pk>/files/<path:name>", views.published_file, name="published_file"),
]
