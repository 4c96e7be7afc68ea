"""Resolve the AC field and the Sprint field from ``GET /rest/api/2/field``.

Field ids differ per site and names are localised and renamable (reference §3.1, §4.4,
pitfall 6), so both fields are found by *type*: a ``...:textarea`` custom field for the
AC, ``com.pyxis.greenhopper.jira:gh-sprint`` for the Sprint. ``untranslatedName`` is
preferred over ``name`` where Cloud sends it. A changelog item is matched by ``fieldId``
when present, else by ``field`` (the name at change time) case-insensitively.

The estimate (story points) is optional: the Jira Software field of custom type
``jsw-story-points`` ("Story point estimate", team-managed and newer Cloud sites), else a
number field named "Story Points" or "Story point estimate" (company-managed Cloud and
Server/DC, where it is a plain ``float`` custom field). None when a site has neither.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tracker.errors import ConfigError

SPRINT_TYPE = "com.pyxis.greenhopper.jira:gh-sprint"
STORY_POINTS_TYPE = "com.pyxis.greenhopper.jira:jsw-story-points"
STORY_POINTS_NAMES = ("story points", "story point estimate")
_TEXTAREA_SUFFIX = ":textarea"
_CUSTOM_ID = re.compile(r"^customfield_\d+$")
DESCRIPTION = "description"


@dataclass(frozen=True, slots=True)
class FieldRef:
    """A resolved field: its id and every name a changelog item may carry for it."""

    id: str
    name: str
    aliases: frozenset[str]

    def matches(self, item: Mapping[str, Any]) -> bool:
        field_id = item.get("fieldId")
        if field_id:
            return bool(field_id == self.id)
        return str(item.get("field") or "").strip().lower() in self.aliases


@dataclass(frozen=True, slots=True)
class ResolvedFields:
    text: FieldRef  # the AC custom field, or the description
    sprint: FieldRef
    estimate: FieldRef | None = None  # story points, where the site has them

    def judged_ids(self) -> list[str]:
        """The ids of every resolved field (a verdict depends on their history only),
        for ``changelog/bulkfetch``'s ``fieldIds``."""
        refs = (getattr(self, f.name) for f in dataclasses.fields(self))
        return list(dict.fromkeys(r.id for r in refs if isinstance(r, FieldRef)))


def resolve_fields(raw_fields: Iterable[Mapping[str, Any]], ac_field: str) -> ResolvedFields:
    fields = list(raw_fields)
    return ResolvedFields(
        text=resolve_text_field(fields, ac_field),
        sprint=resolve_sprint(fields),
        estimate=resolve_estimate(fields),
    )


def resolve_estimate(fields: list[Mapping[str, Any]]) -> FieldRef | None:
    """The story-points field: by its Jira Software type, else a number field by name
    (in the order of ``STORY_POINTS_NAMES``); None where there is none."""
    typed = [f for f in fields if _schema(f).get("custom") == STORY_POINTS_TYPE]
    if typed:
        return _ref(typed[0])
    numbers = [f for f in fields if f.get("custom") and _schema(f).get("type") == "number"]
    for name in STORY_POINTS_NAMES:
        named = [f for f in numbers if name in _names(f)]
        if named:
            return _ref(named[0])
    return None


def resolve_text_field(fields: list[Mapping[str, Any]], ac_field: str) -> FieldRef:
    """``ac_field`` is a custom field's name, its id (``customfield_NNNNN``) or "description"."""
    wanted = ac_field.strip()
    if wanted.lower() == DESCRIPTION:
        return FieldRef(DESCRIPTION, "Description", frozenset({DESCRIPTION}))
    if _CUSTOM_ID.match(wanted):
        found = [f for f in fields if f.get("id") == wanted]
        if not found:
            choices = _listing(_textareas(fields))
            raise ConfigError(f"Jira has no field {wanted}: set `ac_field` to one of {choices}")
        return _ref(found[0])
    matches = [f for f in _textareas(fields) if wanted.lower() in _names(f)]
    if len(matches) == 1:
        return _ref(matches[0])
    if not matches:
        raise ConfigError(
            f"no multi-line text field named {wanted!r} in Jira: set `ac_field` to one of "
            f'{_listing(_textareas(fields))}, or to "description"'
        )
    raise ConfigError(
        f"{len(matches)} Jira fields are named {wanted!r}: set `ac_field` to the id of one of "
        f"{_listing(matches)}"
    )


def resolve_sprint(fields: list[Mapping[str, Any]]) -> FieldRef:
    matches = [f for f in fields if _schema(f).get("custom") == SPRINT_TYPE]
    if len(matches) > 1:
        # A second gh-sprint field is rare (a migration leftover); the one called Sprint wins.
        named = [f for f in matches if "sprint" in _names(f)]
        if len(named) == 1:
            matches = named
    if len(matches) == 1:
        return _ref(matches[0])
    if not matches:
        raise ConfigError(
            "Jira has no Sprint field (type gh-sprint): sprints need Jira Software; "
            "check that the token's account can see it"
        )
    raise ConfigError(
        f"Jira has {len(matches)} Sprint fields and none is clearly the one: {_listing(matches)}"
    )


def _ref(field: Mapping[str, Any]) -> FieldRef:
    field_id = str(field["id"])
    display = str(field.get("untranslatedName") or field.get("name") or field_id)
    aliases = {field_id.lower(), *_names(field)}
    return FieldRef(field_id, display, frozenset(a for a in aliases if a))


def _names(field: Mapping[str, Any]) -> set[str]:
    return {str(field.get(k) or "").strip().lower() for k in ("untranslatedName", "name")} - {""}


def _schema(field: Mapping[str, Any]) -> Mapping[str, Any]:
    schema = field.get("schema")
    return schema if isinstance(schema, Mapping) else {}


def _textareas(fields: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [
        f
        for f in fields
        if f.get("custom") and str(_schema(f).get("custom", "")).endswith(_TEXTAREA_SUFFIX)
    ]


def _listing(fields: list[Mapping[str, Any]]) -> str:
    if not fields:
        return "(none found)"
    shown = [f"{f.get('untranslatedName') or f.get('name')} ({f.get('id')})" for f in fields[:10]]
    more = f", and {len(fields) - 10} more" if len(fields) > 10 else ""
    return ", ".join(shown) + more
