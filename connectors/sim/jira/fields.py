"""The simulated site's field catalogue: one logical key per field, with the id and schema
each deployment gives it.

Custom field ids differ per site and per deployment, so the simulator gives Cloud and
Server different ids; a connector must resolve them through ``/rest/api/2/field`` by
schema type, never assume one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Flavour = Literal["cloud", "server"]

TEXTAREA = "com.atlassian.jira.plugin.system.customfieldtypes:textarea"
GH_SPRINT = "com.pyxis.greenhopper.jira:gh-sprint"
FLOAT = "com.atlassian.jira.plugin.system.customfieldtypes:float"
LEXO_RANK = "com.pyxis.greenhopper.jira:gh-lexo-rank"


@dataclass(frozen=True, slots=True)
class FieldDef:
    key: str  # logical key the workspace stores values under
    name: str
    schema_type: str
    cloud_id: str = ""  # system fields: the key itself
    server_id: str = ""
    custom_type: str | None = None
    items: str | None = None
    server_items: str | None = None  # Sprint: "json" on Cloud, "string" on Server
    navigable: bool = True
    orderable: bool = True
    searchable: bool = True

    @property
    def custom(self) -> bool:
        return self.custom_type is not None

    def id_for(self, flavour: Flavour) -> str:
        if not self.custom:
            return self.key
        return self.cloud_id if flavour == "cloud" else self.server_id

    def to_json(self, flavour: Flavour) -> dict[str, Any]:
        """One entry of ``GET /rest/api/2/field`` (``FieldDetails``)."""
        fid = self.id_for(flavour)
        schema: dict[str, Any] = {"type": self.schema_type}
        items = self.server_items if flavour == "server" and self.server_items else self.items
        if items:
            schema["items"] = items
        if self.custom:
            number = int(fid.rsplit("_", 1)[1])
            schema["custom"] = self.custom_type
            schema["customId"] = number
            clauses = [f"cf[{number}]", self.name]
        else:
            schema["system"] = self.key
            clauses = [self.key]
        entry: dict[str, Any] = {"id": fid}
        if flavour == "cloud":
            entry["key"] = fid
        entry |= {
            "name": self.name,
            "custom": self.custom,
            "orderable": self.orderable,
            "navigable": self.navigable,
            "searchable": self.searchable,
            "clauseNames": clauses,
            "schema": schema,
        }
        if flavour == "cloud":
            entry["untranslatedName"] = self.name
        return entry


def _system(key: str, name: str, schema_type: str, **kw: Any) -> FieldDef:
    return FieldDef(key=key, name=name, schema_type=schema_type, **kw)


FIELDS: tuple[FieldDef, ...] = (
    _system("summary", "Summary", "string"),
    _system("issuetype", "Issue Type", "issuetype"),
    _system("status", "Status", "status"),
    _system("project", "Project", "project"),
    _system("description", "Description", "string"),
    _system("labels", "Labels", "array", items="string"),
    _system("priority", "Priority", "priority"),
    _system("reporter", "Reporter", "user"),
    _system("assignee", "Assignee", "user"),
    _system("created", "Created", "datetime"),
    _system("updated", "Updated", "datetime"),
    _system("resolution", "Resolution", "resolution"),
    _system("issuelinks", "Linked Issues", "array", items="issuelinks", orderable=False),
    _system("comment", "Comment", "comments-page", navigable=False, orderable=False),
    FieldDef(
        key="ac",
        name="Acceptance Criteria",
        schema_type="string",
        cloud_id="customfield_10100",
        server_id="customfield_11402",
        custom_type=TEXTAREA,
    ),
    FieldDef(
        key="sprint",
        name="Sprint",
        schema_type="array",
        cloud_id="customfield_10020",
        server_id="customfield_10105",
        custom_type=GH_SPRINT,
        items="json",
        server_items="string",
    ),
    FieldDef(
        key="story_points",
        name="Story Points",
        schema_type="number",
        cloud_id="customfield_10016",
        server_id="customfield_10106",
        custom_type=FLOAT,
    ),
    FieldDef(
        key="rank",
        name="Rank",
        schema_type="any",
        cloud_id="customfield_10019",
        server_id="customfield_10104",
        custom_type=LEXO_RANK,
    ),
)

BY_KEY: dict[str, FieldDef] = {f.key: f for f in FIELDS}
TEXT_FIELDS = frozenset({"description", "ac"})


def resolve_field(id_or_name: str) -> FieldDef:
    """A field by logical key, id on either deployment, or display name (case-insensitive)."""
    wanted = id_or_name.strip().lower()
    for f in FIELDS:
        if wanted in {f.key, f.cloud_id, f.server_id, f.name.lower()}:
            return f
    raise KeyError(f"no field {id_or_name!r} in the simulated site")


def field_by_id(field_id: str, flavour: Flavour) -> FieldDef | None:
    return next((f for f in FIELDS if f.id_for(flavour) == field_id), None)
