"""Who may do what: Slack user ids and user groups mapped to role, team and program.

``COPC_ROLES_FILE`` is YAML::

    users:                      # one Slack user id each; wins over any group
      U012ABCDEF: {role: manager, program: Harbor Bank}
    groups:                     # Slack user group ids (S...); the first listed match wins
      S0TEAMLEADS: {role: team_lead, team: Harbor Voice A, program: Harbor Bank}
      S0HARBORVOICE: {role: agent, team: Harbor Voice A, program: Harbor Bank}

A user's own entry is laid over their first matching group (its missing fields come from
the group). Anyone else is an agent without a team or program. Group membership is looked
up through a callable so this module never talks to Slack itself.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from assistant.chunking import normalise_role
from assistant.documents import ROLES
from assistant.errors import ConfigError
from assistant.records import Role

#: Roles that may see any team's readiness report.
MANAGERS = frozenset({Role.MANAGER.value, Role.QUALITY.value})

_FIELDS = ("role", "team", "program")


@dataclass(frozen=True)
class Profile:
    """A person's role, team and program scope as the roles file gives them."""

    role: str = Role.AGENT.value
    team: str | None = None
    program: str | None = None

    @property
    def is_manager(self) -> bool:
        """Managers and the quality team see every team."""
        return self.role in MANAGERS

    def may_report(self, team: str | None) -> bool:
        """Whether this person may see the readiness report of ``team`` (None: every team).

        Managers see any team; a team lead sees their own team (the supervisor's job in
        the design); nobody else sees reports.
        """
        if self.is_manager:
            return True
        return self.role == Role.TEAM_LEAD.value and self.team is not None and team == self.team


@dataclass(frozen=True)
class _Entry:
    role: str | None
    team: str | None
    program: str | None


#: ``members(group_id)`` -> the user ids in that Slack user group.
GroupMembers = Callable[[str], Collection[str]]


class RoleDirectory:
    """The roles file, parsed and validated once."""

    def __init__(
        self, users: Mapping[str, _Entry] | None = None, groups: Mapping[str, _Entry] | None = None
    ) -> None:
        self._users = dict(users or {})
        self._groups = dict(groups or {})

    @classmethod
    def load(cls, path: Path | None) -> RoleDirectory:
        """Read ``path`` (None: nobody has a special role).

        Raises:
            ConfigError: the file is missing, not YAML, or names an unknown role.
        """
        if path is None:
            return cls()
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except OSError as exc:
            raise ConfigError(f"cannot read the roles file {path}: {exc.strerror}") from exc
        except yaml.YAMLError as exc:
            raise ConfigError(f"the roles file {path} is not valid YAML: {exc}") from exc
        if not isinstance(data, dict):
            raise ConfigError(f"the roles file {path} must map `users` and `groups`")
        return cls(
            {str(k): _entry(v, path, str(k)) for k, v in _section(data, "users", path).items()},
            {str(k): _entry(v, path, str(k)) for k, v in _section(data, "groups", path).items()},
        )

    @property
    def groups(self) -> tuple[str, ...]:
        """The user group ids the file names, in file order."""
        return tuple(self._groups)

    def profile(self, user_id: str, members: GroupMembers | None = None) -> Profile:
        """The role, team and program of ``user_id``; unknown users are agents without a team."""
        profile = Profile()
        if members is not None:
            for group_id, entry in self._groups.items():
                if user_id in members(group_id):
                    profile = _apply(profile, entry)
                    break
        own = self._users.get(user_id)
        return profile if own is None else _apply(profile, own)


def _section(data: dict[str, Any], name: str, path: Path) -> dict[str, Any]:
    value = data.get(name) or {}
    if not isinstance(value, dict):
        raise ConfigError(f"`{name}` in the roles file {path} must be a mapping of ids")
    return value


def _entry(value: Any, path: Path, key: str) -> _Entry:
    if not isinstance(value, dict):
        raise ConfigError(f"{key} in the roles file {path} needs role/team/program fields")
    unknown = set(value) - set(_FIELDS)
    if unknown:
        raise ConfigError(f"{key} in the roles file {path}: unknown field(s) {sorted(unknown)}")
    text = {name: (None if value.get(name) is None else str(value[name])) for name in _FIELDS}
    role = None if text["role"] is None else normalise_role(text["role"])
    if text["role"] is not None and role is None:
        allowed = ", ".join(ROLES)
        raise ConfigError(
            f"{key} in the roles file {path}: role {text['role']!r} is not one of {allowed}"
        )
    return _Entry(role=role, team=text["team"], program=text["program"])


def _apply(profile: Profile, entry: _Entry) -> Profile:
    changes = {name: getattr(entry, name) for name in _FIELDS if getattr(entry, name) is not None}
    return replace(profile, **changes)
