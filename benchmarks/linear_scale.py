"""Scale mode: a seeded, synthetic Linear workspace of any size, for benchmarks.

``build_linear_scale_workspace(LinearScaleSpec.sized(5_000))`` gives one team (``SCL``) with
two-week cycles (the last one active), issues planned into them (a few in the backlog),
each with a markdown description holding an ``## Acceptance Criteria`` section, and a
history written through the workspace's mutation API, so it is what Linear would have
recorded: description saves (``updatedDescription``, grouped per actor), cycle moves
(planning, roll-over at a cycle's close by Linear itself, removals), relations, comments
and attachments. Same spec and seed, same workspace.

The mix exercises every costly path of the connector: a long tail of issues with more
history entries, comments or attachments than ``IssuesPage`` inlines (so the follow-up
``Issue*Page`` queries run), relations on both ends, and comments that do not bump the
issue's ``updatedAt`` (found only through ``CommentsSince``).

``apply_nightly_changes`` then changes a fraction of the issues, as a working day would.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from benchmarks._criteria import THINGS, VERBS, comment_text, criteria, edit_criteria
from connectors.sim.linear.model import Cycle, Issue, User
from connectors.sim.linear.workspace import LinearWorkspace

CYCLE_LENGTH = timedelta(days=14)
TEAM_KEY = "SCL"
API_KEY = "lin_api_scale000000000000000000000000000000000"  # the simulator's own, not a secret
DEEP_RANGE = (26, 45)  # far more history entries than IssuesPage inlines (HISTORY_PAGE)
CHATTY_RANGE = (26, 80)  # far more comments than IssuesPage inlines (COMMENT_PAGE)
MANY_ATTACHMENTS = (11, 16)  # more attachments than IssuesPage inlines (ATTACHMENT_PAGE)
_END = datetime(2026, 3, 31, 18, 0, tzinfo=UTC)
_ROLES = ("pm",) * 4 + ("engineer",) * 12 + ("qa",) * 4
_STATES = ("Todo", "In Progress", "In Review", "Done")
_HOSTS = (
    ("https://scale.slack.com/archives/C0SCALE/p{n}", "slack", "Thread in #eng"),
    ("https://github.com/scale/app/pull/{n}", "github", "Pull request"),
    ("https://scale.notion.site/design-{n}", None, "Design notes"),
)


@dataclass(frozen=True, slots=True)
class LinearScaleSpec:
    """The size of the workspace. ``saves``/``comments`` are totals (about: planning moves,
    roll-overs and relation entries come on top of ``saves``)."""

    issues: int = 5_000
    cycles: int = 50
    saves: int = 15_000
    comments: int = 15_000
    seed: int = 7
    backlog_share: float = 0.03
    ac_share: float = 0.6  # of description saves; the rest touch only the Context section
    rollover_share: float = 0.1
    deep_share: float = 0.004
    chatty_share: float = 0.01
    attachment_share: float = 0.1
    many_attachments_share: float = 0.002
    relation_share: float = 0.05
    end: datetime = _END

    @classmethod
    def sized(cls, issues: int, seed: int = 7) -> LinearScaleSpec:
        """One team, 100 issues a cycle, 3 description saves and 3 comments per issue."""
        return cls(
            issues=issues,
            cycles=max(2, issues // 100),
            saves=3 * issues,
            comments=3 * issues,
            seed=seed,
        )


@dataclass(frozen=True, slots=True)
class LinearScaleFacts:
    """What a config and a benchmark need to know about a built workspace."""

    team: str
    cycles: int
    engineers: tuple[str, ...]
    api_key: str = API_KEY


@dataclass(slots=True)
class _People:
    pm: list[User]
    engineer: list[User]
    qa: list[User]

    def anyone(self, rng: random.Random) -> User:
        return rng.choice(self.pm + self.engineer + self.qa)


def build_linear_scale_workspace(
    spec: LinearScaleSpec,
) -> tuple[LinearWorkspace, LinearScaleFacts]:
    """A fresh workspace of ``spec``'s size, ``now`` at ``spec.end``; deterministic."""
    rng = random.Random(spec.seed)
    ws = LinearWorkspace(url_key="scale", now=spec.end)
    people = _add_people(ws)
    ws.viewer = people.pm[0]
    cycles = _add_cycles(ws, spec)
    saves = _spread(rng, spec.issues, spec.saves)
    comments = _spread(rng, spec.issues, spec.comments)
    _mark_tails(rng, spec, saves, comments)
    for index in range(spec.issues):
        cycle = None if rng.random() < spec.backlog_share else cycles[index % len(cycles)]
        _tell_issue(ws, rng, people, spec, index, cycle, cycles, saves[index], comments[index])
    _add_attachments(ws, rng, spec, people)
    _add_relations(ws, rng, spec, people)
    engineers = tuple(u.email for u in people.engineer[:8])
    return ws, LinearScaleFacts(TEAM_KEY, len(cycles), engineers)


def _add_people(ws: LinearWorkspace) -> _People:
    people = _People([], [], [])
    for n, role in enumerate(_ROLES):
        name = f"{role}{n:02d}"
        user = ws.add_user(f"{role.title()} {n:02d}", name, f"{name}@scale.example")
        getattr(people, role).append(user)
    return people


def _add_cycles(ws: LinearWorkspace, spec: LinearScaleSpec) -> list[Cycle]:
    """``spec.cycles`` back to back; the last one is active at ``spec.end`` and for a few
    days after it, so the benchmark's syncs see no cycle change state."""
    team = ws.add_team(TEAM_KEY, "Scale")
    first = spec.end - (spec.cycles - 1) * CYCLE_LENGTH - timedelta(days=8)
    out = []
    for n in range(spec.cycles):
        start = first + n * CYCLE_LENGTH
        end = start + CYCLE_LENGTH
        done = end if n < spec.cycles - 1 else None
        out.append(ws.add_cycle(team, n + 1, start, end, completed_at=done))
    return out


def _spread(rng: random.Random, n: int, total: int) -> list[int]:
    counts = [0] * n
    for index in rng.choices(range(n), k=total) if n else []:
        counts[index] += 1
    return counts


def _mark_tails(
    rng: random.Random, spec: LinearScaleSpec, saves: list[int], comments: list[int]
) -> None:
    """A few issues with more saves or comments than a page of ``IssuesPage`` inlines."""
    n = spec.issues
    for index in rng.sample(range(n), min(n, round(n * spec.deep_share))):
        saves[index] = rng.randint(*DEEP_RANGE)
    for index in rng.sample(range(n), min(n, round(n * spec.chatty_share))):
        comments[index] = rng.randint(*CHATTY_RANGE)


def render_description(title: str, context: int, items: list[str]) -> str:
    bullets = "\n".join(f"- {item}" for item in items)
    return (
        f"## Context\n\n{title}: customers asked for it (revision {context}).\n\n"
        f"## Acceptance Criteria\n\n{bullets}\n"
    )


def ac_of(description: str | None) -> list[str]:
    """The criteria of a description this module rendered."""
    _, _, section = (description or "").partition("## Acceptance Criteria\n\n")
    return [line[2:] for line in section.splitlines() if line.startswith("- ")]


def _tell_issue(
    ws: LinearWorkspace,
    rng: random.Random,
    people: _People,
    spec: LinearScaleSpec,
    index: int,
    cycle: Cycle | None,
    cycles: list[Cycle],
    saves: int,
    comments: int,
) -> None:
    anchor = cycle.starts_at if cycle else spec.end - timedelta(days=30)
    created = anchor - timedelta(days=rng.uniform(2, 20))
    title = f"{rng.choice(THINGS).title()} {rng.choice(VERBS)} #{index}"
    items = criteria(rng, rng.randint(2, 6))
    pm = rng.choice(people.pm)
    planned_in = cycle if rng.random() < 0.5 else None  # else moved in at planning
    issue = ws.add_issue(
        ws.teams[0],
        index + 1,
        title,
        render_description(title, 0, items),
        creator=pm,
        at=created,
        cycle=planned_in,
        labels=(rng.choice(THINGS),),
    )
    if cycle is not None and planned_in is None:
        ws.move_to_cycle(
            issue.identifier, cycle.id, pm, anchor - timedelta(hours=rng.uniform(1, 40))
        )
    until = min(cycle.ends_at, spec.end) if cycle else spec.end
    _work_on(ws, rng, people, spec, issue, items, until, saves, comments)
    if cycle is not None:
        _roll_over(ws, rng, spec, issue, cycle, cycles)


def _work_on(
    ws: LinearWorkspace,
    rng: random.Random,
    people: _People,
    spec: LinearScaleSpec,
    issue: Issue,
    items: list[str],
    until: datetime,
    saves: int,
    comments: int,
) -> None:
    """Description saves (some changing the criteria), comments and a state move, spread
    between the issue's creation and ``until``."""
    created = issue.created_at
    stamps = sorted(created + (until - created) * rng.random() for _ in range(saves))
    for n, at in enumerate(stamps, start=1):
        who = rng.choice(people.pm if rng.random() < 0.7 else people.engineer)
        if rng.random() < spec.ac_share:
            items = edit_criteria(rng, items)
        text = render_description(issue.title, n, items)
        ws.edit_description(issue.identifier, text, who, at)
    for at in sorted(created + (until - created) * rng.random() for _ in range(comments)):
        ws.add_comment(issue.identifier, comment_text(rng), people.anyone(rng), at)
    if rng.random() < 0.5:
        ws.set_state(issue.identifier, rng.choice(_STATES), until - timedelta(hours=2))


def _roll_over(
    ws: LinearWorkspace,
    rng: random.Random,
    spec: LinearScaleSpec,
    issue: Issue,
    cycle: Cycle,
    cycles: list[Cycle],
) -> None:
    """Unfinished work moves to the next cycle when a cycle closes, by Linear itself."""
    position = cycles.index(cycle)
    if cycle.completed_at is None or position + 1 >= len(cycles):
        return
    if rng.random() < spec.rollover_share:
        ws.move_to_cycle(issue.identifier, cycles[position + 1].id, None, cycle.completed_at)


def _attach(
    ws: LinearWorkspace, rng: random.Random, issue: Issue, at: datetime, creator: User
) -> None:
    url, source, title = rng.choice(_HOSTS)
    ws.add_attachment(
        issue.identifier,
        url.format(n=rng.randint(10_000, 99_999)),
        title,
        at,
        creator=creator,
        source_type=source,
    )


def _last_change(issue: Issue, end: datetime) -> datetime:
    return min(max(issue.bumps) + timedelta(hours=1), end)


def _add_attachments(
    ws: LinearWorkspace, rng: random.Random, spec: LinearScaleSpec, people: _People
) -> None:
    issues = ws.issues
    for issue in rng.sample(issues, round(len(issues) * spec.attachment_share)):
        _attach(ws, rng, issue, _last_change(issue, spec.end), rng.choice(people.engineer))
    for issue in rng.sample(issues, round(len(issues) * spec.many_attachments_share)):
        at = _last_change(issue, spec.end)
        for n in range(rng.randint(*MANY_ATTACHMENTS)):
            _attach(ws, rng, issue, at - timedelta(minutes=n), rng.choice(people.engineer))


def _add_relations(
    ws: LinearWorkspace, rng: random.Random, spec: LinearScaleSpec, people: _People
) -> None:
    issues = ws.issues
    if len(issues) < 2:
        return
    for issue in rng.sample(issues, round(len(issues) * spec.relation_share)):
        other = rng.choice(issues)
        if other is issue:
            continue
        # After both ends exist: a relation cannot predate the issue it points to.
        at = min(
            max(_last_change(issue, spec.end), other.created_at + timedelta(hours=1)), spec.end
        )
        kind = rng.choice(("related", "blocks"))
        ws.add_relation(issue.identifier, other.identifier, kind, at, rng.choice(people.pm))


def apply_nightly_changes(
    ws: LinearWorkspace, fraction: float, at: datetime, seed: int = 11
) -> list[str]:
    """Change ``fraction`` of the issues after ``at``, preferring the active cycle's:
    AC edits, comments (which do not bump ``updatedAt``), attachments and state moves.
    Returns the identifiers changed."""
    rng = random.Random(seed)
    issues = sorted(ws.visible_issues(), key=lambda i: i.number)
    active = {c.id for c in ws.cycles if c.completed_at is None and c.starts_at <= at}
    hot = [i for i in issues if (cycle := ws.cycle_of(i, at)) is not None and cycle.id in active]
    count = min(len(issues), max(1, round(len(issues) * fraction)))
    chosen = rng.sample(hot, min(len(hot), count))
    taken = {i.id for i in chosen}
    chosen += rng.sample([i for i in issues if i.id not in taken], count - len(chosen))
    pm, engineer = ws.users[0], ws.users[4]
    for n, issue in enumerate(sorted(chosen, key=lambda i: i.number)):
        when = at + timedelta(seconds=n)
        roll = rng.random()
        if roll < 0.35:
            items = edit_criteria(rng, ac_of(latest_description(issue)))
            text = render_description(issue.title, len(issue.descriptions), items)
            ws.edit_description(issue.identifier, text, pm, when)
        elif roll < 0.7:
            ws.add_comment(issue.identifier, comment_text(rng), engineer, when)
        elif roll < 0.8:
            _attach(ws, rng, issue, when, engineer)
        else:
            ws.set_state(issue.identifier, rng.choice(_STATES), when)
    return sorted(i.identifier for i in chosen)


def latest_description(issue: Issue) -> str | None:
    return max(issue.descriptions, key=lambda d: d[0])[1]
