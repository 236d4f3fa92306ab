"""Records and members shared by the search tests."""

from __future__ import annotations

from amity.core.models import Membership, Role, User
from tests.conftest import World


def member_with_grants(world: World, email: str, grants: dict[str, dict[str, str]]) -> Membership:
    """Return a member of acme whose custom role grants exactly `grants`."""
    role = Role.objects.create(
        workspace=world.acme, key=email.split("@")[0], name="Custom", grants=grants
    )
    user = User.objects.create(email=email, full_name="Custom")
    Membership.objects.create(workspace=world.acme, user=user, role=role)
    return world.member(user)
