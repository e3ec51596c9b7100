"""Slack users as the practice engine knows them: role, team, program and time zone.

The role comes from the roles file (directly or through a user group); the display name
and time zone from Slack's ``users.info``. A person is enrolled (upserted) on first use
and again after ``ttl_s``, so role-file edits and time-zone moves are picked up without a
database write on every click.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from assistant.records import Person
from bots.ports import PracticeEngine
from bots.roles import Profile, RoleDirectory
from bots.state import TTLCache

log = logging.getLogger(__name__)


class People:
    """Profiles and enrolment of Slack users, cached per process."""

    def __init__(
        self,
        practice: PracticeEngine,
        roles: RoleDirectory,
        client: WebClient,
        *,
        ttl_s: float = 600.0,
    ) -> None:
        self._practice = practice
        self._roles = roles
        self._client = client
        self._members: TTLCache[frozenset[str]] = TTLCache(ttl_s, 1000)
        self._enrolled: TTLCache[Person] = TTLCache(ttl_s, 100_000)

    def profile(self, user_id: str) -> Profile:
        """The user's role, team and program (an agent without a team when unknown)."""
        groups = self._group_members if self._roles.groups else None
        return self._roles.profile(user_id, groups)

    def enrol(self, user_id: str) -> Person:
        """Make sure the practice engine knows the user; returns their record."""
        cached = self._enrolled.get(user_id)
        if cached is not None:
            return cached
        profile = self.profile(user_id)
        name, timezone = self._user_info(user_id)
        person = self._practice.enrol(
            user_id,
            display_name=name,
            role=profile.role,
            team=profile.team,
            program=profile.program,
            timezone=timezone,
        )
        self._enrolled.put(user_id, person)
        return person

    def _user_info(self, user_id: str) -> tuple[str, str]:
        """Display name and IANA time zone from Slack (the id and UTC when unavailable)."""
        try:
            user = self._client.users_info(user=user_id).get("user") or {}
        except SlackApiError as exc:
            log.warning("users.info failed for %s: %s", user_id, exc.response.get("error"))
            return user_id, "UTC"
        profile = user.get("profile") or {}
        name = profile.get("display_name") or user.get("real_name") or user.get("name") or user_id
        return str(name), _zone(user.get("tz"))

    def _group_members(self, group_id: str) -> Collection[str]:
        cached = self._members.get(group_id)
        if cached is not None:
            return cached
        try:
            users = self._client.usergroups_users_list(usergroup=group_id).get("users") or []
        except SlackApiError as exc:
            log.warning(
                "usergroups.users.list failed for %s: %s", group_id, exc.response.get("error")
            )
            users = []
        members = frozenset(str(u) for u in users)
        self._members.put(group_id, members)
        return members


def _zone(name: object) -> str:
    if not isinstance(name, str) or not name:
        return "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name
