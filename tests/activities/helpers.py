"""Tasks made through the real services, for the task screen tests."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from amity.activities import recurrence, task_services
from amity.activities.models import Task
from amity.core.models import User
from tests.conftest import World, tenant_guard_off


def today(user: User) -> date:
    return recurrence.local_today(user.time_zone)


def task(
    world: World,
    by: User | None = None,
    *,
    title: str = "Call back",
    due: date | int = 0,
    at: time | None = None,
    **data: Any,
) -> Task:
    """Create a task in acme (by alice unless `by`), due `due` days from today by default."""
    member = world.member(by or world.alice)
    due_date = due if isinstance(due, date) else today(member.user) + timedelta(days=due)
    values: dict[str, Any] = {
        "title": title,
        "due_date": due_date,
        "due_time": at,
        "owner": member.user_id,
        **data,
    }
    return task_services.create_task(member, values)


def reload(task: Task) -> Task:
    with tenant_guard_off():
        return Task.objects.get(pk=task.pk)


def all_tasks() -> list[tuple[str, str, int | None, date]]:
    with tenant_guard_off():
        return list(
            Task.objects.order_by("id").values_list("title", "status", "owner_id", "due_date")
        )
