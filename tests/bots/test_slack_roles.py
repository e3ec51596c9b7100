"""The roles file: users and user groups mapped to role, team and program."""

from __future__ import annotations

import re
from pathlib import Path
from unittest.mock import MagicMock

import pytest
from slack_sdk.errors import SlackApiError

from assistant.errors import ConfigError
from assistant.records import Records
from bots.people import People
from bots.roles import Profile, RoleDirectory

ROLES = """
users:
  UMANAGER: {role: manager, program: Harbor Bank}
  ULEADX: {team: Harbor Voice B}
groups:
  SLEADS: {role: team_lead, team: Harbor Voice A, program: Harbor Bank}
  SAGENTS: {role: agent, team: Lumen Chat, program: Lumen Telecom}
"""


@pytest.fixture
def directory(tmp_path: Path) -> RoleDirectory:
    path = tmp_path / "roles.yaml"
    path.write_text(ROLES)
    return RoleDirectory.load(path)


def members(group: str) -> set[str]:
    return {"SLEADS": {"ULEAD", "ULEADX"}, "SAGENTS": {"ULEAD", "UAGENT"}}[group]


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("UMANAGER", Profile("manager", None, "Harbor Bank")),
        ("ULEAD", Profile("team_lead", "Harbor Voice A", "Harbor Bank")),  # first group wins
        ("ULEADX", Profile("team_lead", "Harbor Voice B", "Harbor Bank")),  # own entry on top
        ("UAGENT", Profile("agent", "Lumen Chat", "Lumen Telecom")),
        ("USTRANGER", Profile("agent", None, None)),
    ],
)
def test_profiles(directory: RoleDirectory, user: str, expected: Profile) -> None:
    assert directory.profile(user, members) == expected


def test_who_may_see_which_report() -> None:
    assert Profile("manager").may_report(None) and Profile("quality").may_report("any")
    lead = Profile("team_lead", "A")
    assert lead.may_report("A") and not lead.may_report("B") and not lead.may_report(None)
    assert not Profile("agent", "A").may_report("A")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("users:\n  U1: {role: boss}\n", "role 'boss' is not one of"),
        ("users:\n  U1: {rank: 3}\n", "unknown field(s) ['rank']"),
        ("users: [U1]\n", "must be a mapping"),
        ("users: {U1: [", "not valid YAML"),
    ],
)
def test_bad_roles_files_say_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "roles.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=re.escape(message)):
        RoleDirectory.load(path)


def test_missing_roles_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the roles file"):
        RoleDirectory.load(tmp_path / "nope.yaml")


class _Engine:
    """Enrols through real records (what ``People`` needs from the practice engine)."""

    def __init__(self, records: Records) -> None:
        self.records = records

    def enrol(self, external_id: str, **details: object) -> object:
        fields = {k: v for k, v in details.items() if v is not None}
        return self.records.upsert_person(external_id, **fields)  # type: ignore[arg-type]


def test_people_are_enrolled_once_with_slack_time_zone_and_group_role(
    directory: RoleDirectory, tmp_path: Path
) -> None:
    client = MagicMock()
    client.users_info.return_value = {"user": {"tz": "America/Chicago", "real_name": "Lee"}}
    client.usergroups_users_list.side_effect = lambda usergroup: {
        "users": sorted(members(usergroup))
    }
    with Records.open(f"sqlite:///{tmp_path / 'r.db'}") as records:
        people = People(_Engine(records), directory, client)  # type: ignore[arg-type]
        person = people.enrol("ULEAD")
        people.enrol("ULEAD")
        assert (person.role, person.team, person.timezone) == (
            "team_lead",
            "Harbor Voice A",
            "America/Chicago",
        )
        assert client.users_info.call_count == 1  # cached
        assert records.get_person("ULEAD").display_name == "Lee"  # type: ignore[union-attr]


def test_slack_failures_fall_back_to_safe_defaults(
    directory: RoleDirectory, tmp_path: Path
) -> None:
    client = MagicMock()
    error = SlackApiError("no", {"ok": False, "error": "missing_scope"})
    client.users_info.side_effect = error
    client.usergroups_users_list.side_effect = error
    with Records.open(f"sqlite:///{tmp_path / 'r.db'}") as records:
        person = People(_Engine(records), directory, client).enrol("ULEAD")  # type: ignore[arg-type]
        assert (person.role, person.timezone, person.display_name) == ("agent", "UTC", "ULEAD")
