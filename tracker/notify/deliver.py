"""``tracker notify``: which nudges are due, and their delivery, once per channel ever.

1. **What is due**: the flagged changes of the chosen sprints (``--sprint``; else the
   active ones and those completed within ``window_after``), judged now, so a change that
   became ``discussed`` before its nudge went out is not nudged; a change saved less
   than ``delay`` ago waits for the next run.
2. **Not sent yet**: a delivery recorded as sent on a channel is never sent again there.
3. **Claim, send, record** (``store.deliveries``): a claim committed before sending keeps
   two cron jobs or two machines from sending the same nudge; only an accepted message
   is recorded as sent; a refused one releases its claim, and the other channels go on.

With ``digest``, Slack gets one message per sprint and day (its own delivery row, keyed
by the sprint and the UTC day), carrying every change due that was not sent there yet.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from tracker.analysis import analyse_sprint, resolve_sprint
from tracker.domain import IssueHistory, Person, Sprint, SprintState
from tracker.errors import NotifyError
from tracker.notify.compose import due_nudges
from tracker.notify.model import DeliveryKey, Nudge
from tracker.policy import Policy
from tracker.ports import Channel, DigestChannel
from tracker.service import for_judging
from tracker.store import Store

# A claim older than this is taken to be a sender that died between sending and
# recording; the nudge is sent again (at least once). It outlasts any retrying send.
LEASE = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Options:
    lead: str | None = None
    delay: timedelta = timedelta(0)
    digest: bool = False


# due: listed by a dry run · sent: accepted and recorded · skipped: sent meanwhile, or
# another sender holds the claim · failed: refused or unreachable, the claim released
State = Literal["due", "sent", "skipped", "failed"]


@dataclass(slots=True)
class Outcome:
    """What happened to one nudge (or one digest) on one channel."""

    channel: str
    nudges: tuple[Nudge, ...]
    state: State
    preview: Any = None
    describe: str = ""
    error: str = ""


@dataclass(slots=True)
class NotifyResult:
    sprints: list[Sprint] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.state == "failed"]


def chosen_sprints(
    store: Store,
    window_after: timedelta,
    now: datetime,
    *,
    sprint: str | None = None,
    sources: Sequence[str] | None = None,
) -> list[Sprint]:
    """``--sprint`` resolved, else the active sprints and those completed within
    ``window_after`` (a discussion may still come in that long after the end)."""
    pool = [s for s in store.sprints() if not sources or s.source in sources]
    if sprint is not None:
        return [resolve_sprint(pool, sprint, sources[0] if sources and len(sources) == 1 else None)]
    return [
        s
        for s in pool
        if s.started_at is not None
        and (
            s.state is SprintState.ACTIVE
            or (s.ended_at is not None and s.ended_at >= now - window_after)
        )
    ]


def due(
    store: Store, policy: Policy, sprint: Sprint, options: Options, now: datetime
) -> list[Nudge]:
    histories = store.histories(for_judging(store, sprint.source, [sprint.id]))
    report = analyse_sprint(sprint, histories, policy, now=now)
    return due_nudges(report, _people(histories), lead=options.lead, now=now, delay=options.delay)


def _people(histories: Sequence[IssueHistory]) -> list[Person]:
    found: dict[str, Person] = {}
    for h in histories:
        for person in [r.author for r in h.revisions] + [c.author for c in h.comments]:
            if person is not None and person.id:
                found.setdefault(person.id, person)
    return list(found.values())


@dataclass(frozen=True, slots=True)
class _Run:
    store: Store
    send: bool
    previews: bool
    token: str  # this run's claims: a uuid, so no other sender can record or release them
    now: datetime


def notify(
    store: Store,
    policy: Policy,
    sprints: Sequence[Sprint],
    channels: Sequence[Channel],
    options: Options,
    *,
    send: bool,
    now: datetime,
    previews: bool = False,
) -> NotifyResult:
    """Every due nudge on every channel: listed (a dry run; with ``previews``, with the
    exact request each channel would send) or sent and recorded."""
    result = NotifyResult(sprints=list(sprints))
    sent = store.delivered(sorted({s.source for s in sprints}))
    run = _Run(store, send, previews, uuid.uuid4().hex, now)
    for sprint in sprints:
        nudges = due(store, policy, sprint, options, now)
        for channel in channels:
            # An issue carried over between two chosen sprints brings the same change
            # twice: it is one delivery, handled with the first sprint.
            pending = tuple(n for n in nudges if n.key(channel.name) not in sent)
            sent.update(n.key(channel.name) for n in pending)
            if not pending:
                continue
            if options.digest and isinstance(channel, DigestChannel):
                result.outcomes.append(_digest(run, channel, sprint, pending))
            else:
                result.outcomes.extend(_one(run, channel, nudge) for nudge in pending)
    return result


def _one(run: _Run, channel: Channel, nudge: Nudge) -> Outcome:
    outcome = Outcome(channel.name, (nudge,), "due")
    try:
        outcome.describe = channel.describe(nudge)
        if not run.send:
            outcome.preview = channel.preview(nudge) if run.previews else None
            return outcome
        key = nudge.key(channel.name)
        if not run.store.claim_delivery(key, run.token, run.now, LEASE):
            outcome.state = "skipped"  # sent meanwhile, or another sender is sending it
            return outcome
        try:
            delivered = channel.send(nudge)
        except NotifyError:
            run.store.release_delivery(key, run.token)
            raise
        run.store.mark_delivered(key, run.token, run.now, delivered.remote_id)
        outcome.state = "sent"
    except NotifyError as exc:
        outcome.state, outcome.error = "failed", str(exc)
    return outcome


def digest_key(sprint: Sprint, channel: str, now: datetime) -> DeliveryKey:
    """The delivery row of one sprint's digest on one UTC day."""
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return DeliveryKey(sprint.source, f"digest:{sprint.id}", day, channel)


def _digest(
    run: _Run, channel: DigestChannel, sprint: Sprint, pending: tuple[Nudge, ...]
) -> Outcome:
    outcome = Outcome(
        channel.name, pending, "due", describe=f"a {channel.name} digest for {sprint.name}"
    )
    if not run.send:
        outcome.preview = channel.preview_digest(sprint, pending) if run.previews else None
        return outcome
    store, token, now = run.store, run.token, run.now
    day = digest_key(sprint, channel.name, now)
    if not store.claim_delivery(day, token, now, LEASE):
        outcome.state = "skipped"  # today's digest went out: the rest waits for tomorrow
        return outcome
    mine = tuple(n for n in pending if store.claim_delivery(n.key(channel.name), token, now, LEASE))
    keys = [day, *(n.key(channel.name) for n in mine)]
    try:
        if not mine:
            raise _NothingLeft
        channel.send_digest(sprint, mine)
    except (NotifyError, _NothingLeft) as exc:
        for key in keys:
            store.release_delivery(key, token)
        outcome.state = "failed" if isinstance(exc, NotifyError) else "skipped"
        outcome.error = str(exc) if isinstance(exc, NotifyError) else ""
        return outcome
    for key in keys:
        store.mark_delivered(key, token, now, None)
    outcome.nudges, outcome.state = mine, "sent"
    return outcome


class _NothingLeft(Exception):
    """Every change of the digest was claimed by another sender meanwhile."""
