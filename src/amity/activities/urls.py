from __future__ import annotations

from django.urls import path

from amity.activities import calendar_views, interop_views, reminder_views, task_views, views

app_name = "activities"
urlpatterns = [
    path("people/<int:pk>/notes/", views.person_note_create, name="person_note_create"),
    path("companies/<int:pk>/notes/", views.company_note_create, name="company_note_create"),
    path("notes/<int:pk>/edit/", views.note_edit, name="note_edit"),
    path("notes/<int:pk>/delete/", views.note_delete, name="note_delete"),
    path("people/<int:pk>/log/", views.person_log, name="person_log"),
    path("companies/<int:pk>/log/", views.company_log, name="company_log"),
    path("tasks/", task_views.task_list, name="task_list"),
    path("tasks/my-day/", task_views.my_day, name="my_day"),
    path("tasks/team/", task_views.team_tasks, name="team_tasks"),
    path("tasks/new/", task_views.task_create, name="task_create"),
    path("tasks/settings/", task_views.alert_settings, name="alert_settings"),
    path("tasks/reassign/", task_views.task_reassign, name="task_reassign"),
    path("tasks/<int:pk>/", task_views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/complete/", task_views.task_complete, name="task_complete"),
    path("tasks/<int:pk>/reopen/", task_views.task_reopen, name="task_reopen"),
    path("tasks/<int:pk>/cancel/", task_views.task_cancel, name="task_cancel"),
    path("tasks/<int:pk>/delete/", task_views.task_delete, name="task_delete"),
    path("calendar/", calendar_views.calendar, name="calendar"),
    path("calendar/new/", calendar_views.event_create, name="event_create"),
    path("calendar/events/<int:pk>/", calendar_views.event_edit, name="event_edit"),
    path("calendar/events/<int:pk>/move/", calendar_views.event_move, name="event_move"),
    path("calendar/events/<int:pk>/resize/", calendar_views.event_resize, name="event_resize"),
    path("calendar/working-hours/", calendar_views.working_hours, name="working_hours"),
    # Calendar interop: the private feed (no login: the secret is the key), import, cancel.
    path("calendar/feed/<str:secret>.ics", interop_views.calendar_feed, name="calendar_feed"),
    path("calendar/settings/", interop_views.calendar_settings, name="calendar_settings"),
    path("calendar/settings/feed/", interop_views.calendar_feed_reset, name="calendar_feed_reset"),
    path("calendar/settings/feed/off/", interop_views.calendar_feed_off, name="calendar_feed_off"),
    path("calendar/import/", interop_views.calendar_import, name="calendar_import"),
    path("calendar/events/<int:pk>/delete/", interop_views.event_delete, name="event_delete"),
    path("calendar/attendees/options/", interop_views.attendee_options, name="attendee_options"),
    path("people/<int:pk>/remind/", reminder_views.person_remind, name="person_remind"),
    path("companies/<int:pk>/remind/", reminder_views.company_remind, name="company_remind"),
    path("reminders/", reminder_views.my_reminders, name="my_reminders"),
    path("reminders/<int:pk>/cancel/", reminder_views.reminder_cancel, name="reminder_cancel"),
    path(
        "calendar/events/<int:pk>/reminders/",
        reminder_views.event_reminders,
        name="event_reminders",
    ),
    path(
        "people/<int:pk>/scheduled-emails/",
        reminder_views.person_schedule_email,
        name="person_schedule_email",
    ),
    path(
        "scheduled-emails/<int:pk>/",
        reminder_views.scheduled_email_edit,
        name="scheduled_email_edit",
    ),
    path(
        "scheduled-emails/<int:pk>/cancel/",
        reminder_views.scheduled_email_cancel,
        name="scheduled_email_cancel",
    ),
    path("tasks/trash/", reminder_views.task_trash, name="task_trash"),
    path("tasks/<int:pk>/restore/", reminder_views.task_restore, name="task_restore"),
    path("interactions/<int:pk>/edit/", reminder_views.interaction_edit, name="interaction_edit"),
    path(
        "interactions/<int:pk>/delete/",
        reminder_views.interaction_delete,
        name="interaction_delete",
    ),
]
