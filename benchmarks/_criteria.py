"""Generated acceptance criteria for the simulators' scale mode (Jira and Linear alike):
plausible, seeded, and cheap to make by the hundred thousand."""

from __future__ import annotations

import random

VERBS = ("shows", "rejects", "exports", "retries", "logs", "hides", "sorts", "caches")
THINGS = ("refund", "invoice", "payout", "receipt", "ledger", "report", "card", "token")


def criteria(rng: random.Random, count: int) -> list[str]:
    return [
        f"The {rng.choice(THINGS)} page {rng.choice(VERBS)} the {rng.choice(THINGS)} "
        f"within {rng.randint(1, 9)} seconds"
        for _ in range(count)
    ]


def edit_criteria(rng: random.Random, items: list[str]) -> list[str]:
    """Add, remove or reword one criterion."""
    out = list(items)
    roll = rng.random()
    if roll < 0.4 or len(out) < 2:
        out.insert(rng.randrange(len(out) + 1), criteria(rng, 1)[0])
    elif roll < 0.7:
        out.pop(rng.randrange(len(out)))
    else:
        i = rng.randrange(len(out))
        out[i] = out[i].replace("seconds", f"seconds and {rng.choice(VERBS)} a toast")
    return out


def comment_text(rng: random.Random) -> str:
    """A comment; one in twenty carries the #impact marker."""
    if rng.random() < 0.05:
        return f"#impact: the {rng.choice(THINGS)} change touches the schema"
    return f"Looked at the {rng.choice(THINGS)} flow; {rng.choice(VERBS)} fine for me."
