from __future__ import annotations

from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "amity.activities"
    label = "activities"
    verbose_name = "Activities"

    def ready(self) -> None:
        from amity.activities import alerts, interactions, reminders, task_services
        from amity.activities import privacy as notes_privacy
        from amity.core import tasks
        from amity.customers import privacy, timeline

        timeline.register_composer("activities/_note_form.html")
        tasks.register_sweep(reminders.deliver_due)
        tasks.register_sweep(alerts.send_digests)
        timeline.register_forget(notes_privacy.forget)
        timeline.register_composer("activities/_log_interaction.html")
        timeline.register_composer("activities/_record_tasks.html")
        timeline.register_forget(interactions.forget)
        timeline.register_forget(task_services.forget)
        privacy.register("notes", notes_privacy.export_notes, notes_privacy.erase_notes)
        privacy.register(
            "calls_and_meetings",
            notes_privacy.export_interactions,
            notes_privacy.erase_interactions,
        )
        privacy.register("tasks", notes_privacy.export_tasks, notes_privacy.erase_tasks)
        privacy.register("timeline", notes_privacy.export_timeline, notes_privacy.erase_timeline)
        from amity.activities import attendees, reminders

        timeline.register_forget(attendees.forget)
        reminders.register_event_recipients(attendees.member_attendees)
        privacy.register(
            "event_attendance", attendees.export_attendance, attendees.erase_attendance
        )
        self._ready_reminders()

    def _ready_reminders(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from amity.activities import due_alerts, reminder_views, reminders, scheduled_emails
        from amity.core import tasks
        from amity.customers import panels, privacy, timeline

        tasks.register_sweep(scheduled_emails.send_due)
        tasks.register_sweep(due_alerts.send_due)
        timeline.register_forget(reminders.forget)
        timeline.register_forget(scheduled_emails.forget)
        privacy.register("scheduled_emails", scheduled_emails.export, scheduled_emails.erase)
        panels.register(
            "remind_me",
            title=_("Reminders"),
            template="activities/_remind_panel.html",
            context=reminder_views.remind_panel,
            order=60,
        )
        panels.register(
            "scheduled_emails",
            title=_("Scheduled emails"),
            template="activities/_scheduled_panel.html",
            context=reminder_views.scheduled_panel,
            kinds=("person",),
            order=61,
        )
