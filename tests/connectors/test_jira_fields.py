"""Field resolution on /rest/api/2/field entries in the shapes real sites send."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.jira._mapping import parse_points
from connectors.jira.fields import (
    resolve_estimate,
    resolve_fields,
    resolve_sprint,
    resolve_text_field,
)
from tracker.errors import ConfigError

TEXTAREA = "com.atlassian.jira.plugin.system.customfieldtypes:textarea"


def textarea(num: int, name: str, untranslated: str | None = None) -> dict[str, Any]:
    field: dict[str, Any] = {
        "id": f"customfield_{num}",
        "name": name,
        "custom": True,
        "clauseNames": [name, f"cf[{num}]"],
        "schema": {"type": "string", "custom": TEXTAREA, "customId": num},
    }
    if untranslated:
        field["untranslatedName"] = untranslated
    return field


SPRINT = {
    "id": "customfield_10020",
    "name": "Sprint",
    "custom": True,
    "schema": {
        "type": "array",
        "items": "json",
        "custom": "com.pyxis.greenhopper.jira:gh-sprint",
        "customId": 10020,
    },
}
SUMMARY = {
    "id": "summary",
    "name": "Summary",
    "custom": False,
    "schema": {"type": "string", "system": "summary"},
}
FIELDS = [
    SUMMARY,
    SPRINT,
    textarea(12315940, "Acceptance Criteria"),
    textarea(10500, "Release notes"),
]


def test_by_name_case_insensitive() -> None:
    resolved = resolve_fields(FIELDS, "acceptance criteria")
    assert resolved.text.id == "customfield_12315940"
    assert resolved.sprint.id == "customfield_10020"
    assert {"sprint", "customfield_10020"} <= resolved.sprint.aliases


def test_untranslated_name_is_preferred_and_both_names_match() -> None:
    localised = textarea(10782, "Akzeptanzkriterien", untranslated="Acceptance Criteria")
    ref = resolve_text_field([SUMMARY, localised], "Acceptance Criteria")
    assert (ref.id, ref.name) == ("customfield_10782", "Acceptance Criteria")
    assert ref.matches({"field": "Akzeptanzkriterien"})
    assert resolve_text_field([localised], "akzeptanzkriterien").id == "customfield_10782"


def test_by_id_and_description() -> None:
    assert resolve_text_field(FIELDS, "customfield_10500").name == "Release notes"
    desc = resolve_text_field(FIELDS, "Description")
    assert desc.id == "description" and desc.matches({"field": "description"})


def test_only_textareas_count_by_name() -> None:
    single_line = {
        "id": "customfield_1",
        "name": "Acceptance Criteria",
        "custom": True,
        "schema": {
            "type": "string",
            "custom": "com.atlassian.jira.plugin.system.customfieldtypes:textfield",
        },
    }
    with pytest.raises(
        ConfigError,
        match=r"no multi-line text field named 'Acceptance Criteria'.*customfield_10500",
    ):
        resolve_text_field([single_line, textarea(10500, "Release notes")], "Acceptance Criteria")


def test_ambiguous_name_lists_candidates() -> None:
    fields = [textarea(1, "Acceptance Criteria"), textarea(2, "Acceptance criteria")]
    with pytest.raises(ConfigError) as info:
        resolve_text_field(fields, "Acceptance Criteria")
    assert "customfield_1" in str(info.value) and "customfield_2" in str(info.value)
    assert "`ac_field`" in str(info.value)


def test_unknown_id() -> None:
    with pytest.raises(ConfigError, match=r"no field customfield_4242.*Acceptance Criteria"):
        resolve_text_field(FIELDS, "customfield_4242")


def test_sprint_missing_or_ambiguous() -> None:
    with pytest.raises(ConfigError, match="no Sprint field"):
        resolve_sprint([SUMMARY])
    other = {**SPRINT, "id": "customfield_11458", "name": "Old sprints"}
    assert resolve_sprint([SPRINT, other]).id == "customfield_10020"
    twin = {**SPRINT, "id": "customfield_11459", "name": "sprint"}
    with pytest.raises(ConfigError, match="2 Sprint fields"):
        resolve_sprint([SPRINT, twin])


# -- the estimate (story points) ---------------------------------------------------------


def _number(fid: str, name: str, custom: str) -> dict[str, object]:
    return {"id": fid, "name": name, "custom": True, "schema": {"type": "number", "custom": custom}}


_FLOAT = "com.atlassian.jira.plugin.system.customfieldtypes:float"


def test_story_points_by_jira_software_type_win_over_names() -> None:
    fields = [
        _number("customfield_10028", "Story Points", _FLOAT),
        _number("customfield_10016", "Estimación", "com.pyxis.greenhopper.jira:jsw-story-points"),
    ]
    found = resolve_estimate(fields)
    assert found is not None and found.id == "customfield_10016"


def test_story_points_fall_back_to_a_number_field_by_name() -> None:
    fields = [
        _number("customfield_10099", "Average Story Points", _FLOAT),
        _number("customfield_10106", "Story Points", _FLOAT),
    ]
    found = resolve_estimate(fields)
    assert found is not None and found.id == "customfield_10106"
    found = resolve_estimate([_number("customfield_10200", "Story point estimate", _FLOAT)])
    assert found is not None and found.id == "customfield_10200"


def test_a_site_without_story_points_has_no_estimate() -> None:
    text = {"id": "customfield_10001", "name": "Story Points", "custom": True,
            "schema": {"type": "string", "custom": "x:textarea"}}  # fmt: skip
    assert resolve_estimate([text]) is None


def test_story_point_values_from_fields_and_changelog_strings() -> None:
    assert [parse_points(v) for v in (3, 0.5, "8", "0,5", "", None, "n/a", True)] == [
        3.0, 0.5, 8.0, 0.5, None, None, None, None,
    ]  # fmt: skip
