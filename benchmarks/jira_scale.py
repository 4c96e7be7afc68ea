"""Scale mode: a seeded, synthetic Jira site of any size, for benchmarks.

``build_scale_workspace(ScaleSpec(issues=20_000))`` gives ``boards`` boards (one project
each), ``sprints`` two-week sprints spread over them (the last of each board active),
``issues`` issues planned into those sprints, about ``histories`` changelog entries and
``comments`` comments, all through the workspace's mutation API so the changelog is what
Jira would have written. Same spec and seed, same site.

The mix is chosen to exercise every costly path a client has: AC edits before and
during sprints, carry-overs and mid-sprint removals, issue links and remote links, a
long tail of issues with more comments than Cloud search inlines (20), and "deep" issues
whose AC change is buried under more than 100 later automation saves (Cloud's
``expand=changelog`` keeps only the last 100, so a naive client misses it).

``apply_nightly_changes`` then edits a fraction of the issues, as a working day would.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from benchmarks._criteria import THINGS, VERBS, comment_text, criteria, edit_criteria
from connectors.sim.jira.model import Board, Issue, JiraWorkspace, Sprint, User

SPRINT_LENGTH = timedelta(days=14)
DEEP_SAVES = 130  # more than GET issue?expand=changelog keeps on Cloud (100)
CHATTY_RANGE = (21, 140)  # beyond the 20 comments Cloud search inlines
_END = datetime(2026, 3, 30, 18, 0, tzinfo=UTC)
_ROLES = ("pm",) * 4 + ("engineer",) * 12 + ("qa",) * 4
_NON_AC = ("status", "priority", "story_points", "labels", "rank", "summary")
_STATUSES = ("To Do", "In Progress", "In Review", "Done")


@dataclass(frozen=True, slots=True)
class ScaleSpec:
    """The size of the site. ``histories``/``comments`` are totals (about; link items
    land on both ends). ``deep_share`` of issues get ``DEEP_SAVES`` automation saves
    after an AC change; ``chatty_share`` get more comments than search inlines."""

    issues: int = 20_000
    boards: int = 10
    sprints: int = 200
    histories: int = 400_000
    comments: int = 60_000
    seed: int = 7
    deep_share: float = 0.002
    chatty_share: float = 0.01
    link_share: float = 0.03
    remote_share: float = 0.03
    ac_share: float = 0.15
    end: datetime = _END
    active_share: float = 0.0  # of the issues planned into each board's active sprint (0: even)

    @classmethod
    def sized(cls, issues: int, seed: int = 7) -> ScaleSpec:
        """The issue's proportions (20 histories, 3 comments per issue, 100 issues per
        sprint, 10 boards) for any number of issues."""
        boards = max(1, min(10, issues // 100))
        return cls(
            issues=issues,
            boards=boards,
            sprints=max(boards, issues // 100),
            histories=20 * issues,
            comments=3 * issues,
            seed=seed,
        )

    @classmethod
    def real_shaped(cls, end: datetime, seed: int = 7, ac_share: float = 0.05) -> ScaleSpec:
        """A site of a kind real teams have: one board, 3,060 issues over six sprints,
        about 75,600 histories, 40 issues with over 100, and an active sprint of 2,000
        issues still being edited until ``end``; ``ac_share`` of the saves edit the AC."""
        return cls(
            ac_share=ac_share,
            issues=3060,
            boards=1,
            sprints=6,
            histories=75_600,
            comments=9_180,
            seed=seed,
            deep_share=40 / 3060,
            end=end,
            active_share=2000 / 3060,
        )


@dataclass(frozen=True, slots=True)
class ScaleFacts:
    """What a config and a benchmark need to know about a built site."""

    boards: tuple[int, ...]
    projects: tuple[str, ...]
    engineers: tuple[str, ...]
    email: str = "bench@example.com"
    token: str = "bench-token"


def build_scale_workspace(spec: ScaleSpec) -> tuple[JiraWorkspace, ScaleFacts]:
    """A fresh site of ``spec``'s size; deterministic for a given spec."""
    rng = random.Random(spec.seed)
    ws = JiraWorkspace(site="scale")
    people = _add_people(ws)
    facts = _add_calendar(ws, spec, people)
    plan = _plan(spec, rng)
    sprints_of = _sprints_by_board(ws)
    active = round(spec.issues * spec.active_share)
    for index in range(spec.issues):
        board = facts.boards[index % len(facts.boards)]
        row = sprints_of[board]
        turn = index // len(facts.boards)
        if not active:
            sprint = row[turn % len(row)]
        elif index < active:
            sprint = row[-1]
        else:
            sprint = row[turn % max(1, len(row) - 1)]
        _tell_issue(ws, rng, people, spec, index, sprint, row, plan)
    _add_links(ws, rng, spec, people)
    return ws, facts


def _add_people(ws: JiraWorkspace) -> dict[str, list[User]]:
    people: dict[str, list[User]] = {"pm": [], "engineer": [], "qa": [], "api": []}
    for n, role in enumerate(_ROLES):
        name = f"{role}{n:02d}"
        user = User(
            f"712020:{n:08d}-scale",
            name,
            f"JIRAUSER{20000 + n}",
            f"{role.title()} {n:02d}",
            f"{name}@scale.example",
        )
        people[role].append(ws.add_user(user))
    bench = User("712020:bench", "bench", "JIRAUSER29999", "Bench", "bench@example.com")
    people["api"].append(ws.add_user(bench))
    return people


def _add_calendar(ws: JiraWorkspace, spec: ScaleSpec, people: dict[str, list[User]]) -> ScaleFacts:
    per_board = max(1, spec.sprints // spec.boards)
    boards, projects = [], []
    first_start = spec.end - per_board * SPRINT_LENGTH + timedelta(days=3)
    for b in range(spec.boards):
        key = f"S{b:02d}"
        ws.add_project(key, f"Scale {b:02d}", 20000 + b)
        board = ws.add_board(Board(100 + b, f"Scale board {b:02d}", key))
        boards.append(board.id)
        projects.append(key)
        for s in range(per_board):
            start = first_start + s * SPRINT_LENGTH
            active = s == per_board - 1
            ws.add_sprint(
                Sprint(
                    id=1000 + b * per_board + s,
                    name=f"{key} Sprint {s + 1}",
                    board_id=board.id,
                    state="active" if active else "closed",
                    start=start,
                    end=start + SPRINT_LENGTH,
                    activated=start + timedelta(minutes=7),
                    completed=None if active else start + SPRINT_LENGTH - timedelta(hours=1),
                    created=start - timedelta(days=5),
                )
            )
    engineers = tuple(u.email for u in people["engineer"][:8])
    return ScaleFacts(tuple(boards), tuple(projects), engineers)


def _sprints_by_board(ws: JiraWorkspace) -> dict[int, list[Sprint]]:
    out: dict[int, list[Sprint]] = {}
    for sprint in sorted(ws.sprints.values(), key=lambda s: s.id):
        out.setdefault(sprint.board_id, []).append(sprint)
    return out


@dataclass(frozen=True, slots=True)
class _Plan:
    histories: Counter[int]
    comments: Counter[int]
    deep: frozenset[int]


def _plan(spec: ScaleSpec, rng: random.Random) -> _Plan:
    """How many histories and comments each issue gets, summing to the spec's totals."""
    n = spec.issues
    deep = frozenset(rng.sample(range(n), max(1, round(n * spec.deep_share)))) if n else frozenset()
    chatty = rng.sample(range(n), round(n * spec.chatty_share)) if n else []
    # Every issue gets its planning move; link items (~2 per link) come on top.
    spare = spec.histories - n - len(deep) * (DEEP_SAVES + 1) - round(2 * n * spec.link_share)
    histories = Counter(rng.choices(range(n), k=max(0, spare))) if n else Counter[int]()
    comments: Counter[int] = Counter()
    for index in chatty:
        comments[index] = rng.randint(*CHATTY_RANGE)
    rest = max(0, spec.comments - sum(comments.values()))
    if n:
        comments.update(rng.choices(range(n), k=rest))
    return _Plan(histories, comments, deep)


def render_ac(items: list[str]) -> str:
    return "\n".join(f"* {item}" for item in items)


def _tell_issue(
    ws: JiraWorkspace,
    rng: random.Random,
    people: dict[str, list[User]],
    spec: ScaleSpec,
    index: int,
    sprint: Sprint,
    row: list[Sprint],
    plan: _Plan,
) -> None:
    assert sprint.start is not None and sprint.end is not None
    project = ws.boards[sprint.board_id].project_key
    pm = rng.choice(people["pm"])
    created = sprint.start - timedelta(days=rng.uniform(2, 20))
    items = criteria(rng, rng.randint(2, 6))
    issue = ws.create_issue(
        project,
        f"{rng.choice(THINGS).title()} {rng.choice(VERBS)} #{index}",
        created,
        pm.email,
        number=index // spec.boards + 1,
        ac=render_ac(items),
        story_points=rng.choice((1, 2, 3, 5, 8)),
    )
    planned = sprint.start - timedelta(hours=rng.uniform(1, 40))
    ws.move_to_sprint(issue.key, sprint.id, planned, pm)
    span_end = min(sprint.end, spec.end)
    deep = index in plan.deep
    assert sprint.activated is not None
    # A deep issue's own saves end before the sprint: its buried AC change is the last one.
    until = sprint.activated if deep else span_end
    stamps = sorted(rng.uniform(0, 1) for _ in range(plan.histories[index] + plan.comments[index]))
    moments = [created + (until - created) * f for f in stamps]
    rng.shuffle(moments)  # comments and histories interleave at random
    saves = sorted(moments[: plan.histories[index]])
    for at in saves:
        items = _one_save(ws, rng, people, issue, at, items, spec.ac_share, planned, sprint, row)
    for at in sorted(moments[plan.histories[index] :]):
        author = rng.choice(people["engineer"] + people["pm"] + people["qa"])
        ws.add_comment(issue.key, author, comment_text(rng), at)
    if deep:
        _bury(ws, rng, people, issue, sprint, items, span_end)


def _one_save(
    ws: JiraWorkspace,
    rng: random.Random,
    people: dict[str, list[User]],
    issue: Issue,
    at: datetime,
    items: list[str],
    ac_share: float,
    planned: datetime,
    sprint: Sprint,
    row: list[Sprint],
) -> list[str]:
    """One save by a PM or an engineer; returns the criteria after it."""
    who = rng.choice(people["pm"] if rng.random() < 0.7 else people["engineer"])
    roll = rng.random()
    if roll < ac_share:
        items = edit_criteria(rng, items)
        ws.edit_field(issue.key, "ac", render_ac(items), who, at)
    elif roll < ac_share + 0.01 and at > planned and sprint.state == "closed":
        _carry_or_drop(ws, rng, issue, at, who, sprint, row)
    else:
        ws.set_field(issue.key, *_non_ac_value(rng, issue), who, at)
    return items


def _carry_or_drop(
    ws: JiraWorkspace,
    rng: random.Random,
    issue: Issue,
    at: datetime,
    who: User,
    sprint: Sprint,
    row: list[Sprint],
) -> None:
    """Mid-sprint removal to the backlog, or (after the sprint) carry-over to the next."""
    later = [s for s in row if s.start is not None and s.start > at]
    if later and rng.random() < 0.5 and sprint.completed is not None and at > sprint.completed:
        ws.move_to_sprint(issue.key, later[0].id, at, who)
    elif ws.move_to_sprint(issue.key, None, at, who) is None:
        ws.set_field(issue.key, "rank", None, who, at)


def _non_ac_value(rng: random.Random, issue: Issue) -> tuple[str, object]:
    field = rng.choice(_NON_AC)
    if field == "status":
        return field, rng.choice(_STATUSES)
    if field == "priority":
        return field, rng.choice(("High", "Medium", "Low"))
    if field == "story_points":
        return field, rng.choice((1, 2, 3, 5, 8, 13))
    if field == "labels":
        return field, sorted(rng.sample(("api", "ui", "backend", "ops", "data"), 2))
    if field == "summary":
        return field, f"{issue.values['summary'].split(' (')[0]} ({rng.randint(1, 99)})"
    return field, None


def _bury(
    ws: JiraWorkspace,
    rng: random.Random,
    people: dict[str, list[User]],
    issue: Issue,
    sprint: Sprint,
    items: list[str],
    span_end: datetime,
) -> None:
    """An AC change early in the sprint, then automation re-ranks it DEEP_SAVES times."""
    assert sprint.activated is not None
    at = sprint.activated + timedelta(hours=rng.uniform(2, 30))
    ws.edit_field(issue.key, "ac", render_ac(edit_criteria(rng, items)), people["pm"][0], at)
    step = (span_end - at) / (DEEP_SAVES + 1)
    for n in range(DEEP_SAVES):
        ws.set_field(issue.key, "rank", None, None, at + step * (n + 1))


def _add_links(
    ws: JiraWorkspace, rng: random.Random, spec: ScaleSpec, people: dict[str, list[User]]
) -> None:
    """Issue links (some to spikes) and remote links (Confluence, Slack, web)."""
    keys = list(ws.issues)
    if len(keys) < 2:
        return
    for key in rng.sample(keys, round(len(keys) * spec.link_share)):
        issue = ws.issues[key]
        other = rng.choice(keys)
        if other == key:
            continue
        at = min(issue.updated + timedelta(hours=rng.uniform(1, 48)), spec.end)
        ws.add_issue_link(key, other, rng.choice(("Relates", "Blocks")), at, people["pm"][0])
    for key in rng.sample(keys, round(len(keys) * spec.remote_share)):
        issue = ws.issues[key]
        app = rng.choice(("confluence", "slack", ""))
        at = min(issue.updated + timedelta(hours=rng.uniform(1, 48)), spec.end)
        url = f"https://docs.scale.example/{key.lower()}/{rng.randint(1, 999)}"
        ws.add_remote_link(key, url, f"Design notes for {key}", app, at, people["engineer"][0])


def apply_nightly_changes(
    ws: JiraWorkspace,
    fraction: float,
    at: datetime,
    seed: int = 11,
    spread: timedelta = timedelta(seconds=0),
) -> list[str]:
    """Edit ``fraction`` of the issues from ``at`` on (AC edits, comments, status moves),
    preferring issues of active sprints, as a working day would; ``spread`` spaces the
    edits over that long after ``at`` (else a second apart). Returns the keys."""
    rng = random.Random(seed)
    active = {s.id for s in ws.sprints.values() if s.state == "active"}
    keys = sorted(ws.issues)
    hot = [k for k in keys if active & set(ws.issues[k].sprint_ids)]
    count = min(len(keys), max(1, round(len(keys) * fraction)))
    chosen = rng.sample(hot, min(len(hot), count))
    chosen += rng.sample([k for k in keys if k not in set(chosen)], count - len(chosen))
    pm = next(u for u in ws.users if u.username.startswith("pm"))
    engineer = next(u for u in ws.users if u.username.startswith("engineer"))
    step = spread / max(1, len(chosen)) if spread else timedelta(seconds=1)
    for n, key in enumerate(sorted(chosen)):
        when = at + step * n
        roll = rng.random()
        if roll < 0.35:
            items = [line[2:] for line in (ws.issues[key].values.get("ac") or "").splitlines()]
            ws.edit_field(key, "ac", render_ac(edit_criteria(rng, items)), pm, when)
        elif roll < 0.75:
            ws.add_comment(key, engineer, comment_text(rng), when)
        else:
            ws.set_field(key, "status", rng.choice(_STATUSES), pm, when)
    return sorted(chosen)
