"""The subset of JQL the tracker's connector sends, parsed by a small recursive descent.

Grammar (keywords case-insensitive)::

    query   := [or] [ORDER BY sort ("," sort)*]
    or      := and (OR and)*
    and     := not (AND not)*
    not     := NOT not | "(" or ")" | clause
    clause  := FIELD ("=" | "!=" | ">" | ">=" | "<" | "<=" | IN | NOT IN) value
    value   := WORD | STRING | FUNC "(" ")" | "(" value ("," value)* ")"

Fields: ``sprint``, ``project``, ``key``/``issuekey``/``issue``, ``id``, ``updated``,
``created``. Date values are read in the *requesting user's* time zone, as Jira does
(``"yyyy-MM-dd HH:mm"``, ``"yyyy/MM/dd"``, ... or epoch milliseconds), or are periods
relative to the server's clock (``"-90m"``, ``"-4w 2d"``: weeks, days, hours, minutes).
Anything else is a ``JqlError`` carrying Jira's own wording, which the server turns into
a 400.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from connectors.sim.jira.model import Issue, JiraWorkspace

Predicate = Callable[["Issue"], bool]

_VALID_OPS = (
    "The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', "
    "'IS' and 'IS NOT'."
)
_TOKEN = re.compile(
    r"""\s*(?:(?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(?P<op>!=|>=|<=|!~|[=<>~(),])"""
    r"""|(?P<word>[^\s"'=<>!~(),]+))"""
)
_FIELD_ALIASES = {
    "sprint": "sprint",
    "project": "project",
    "key": "key",
    "issuekey": "key",
    "issue": "key",
    "id": "key",
    "updated": "updated",
    "updateddate": "updated",
    "created": "created",
    "createddate": "created",
}
_OPS_BY_FIELD = {
    "sprint": {"=", "!=", "in", "not in"},
    "project": {"=", "!=", "in", "not in"},
    "key": {"=", "!=", "in", "not in"},
    "updated": {"=", "!=", ">", ">=", "<", "<="},
    "created": {"=", "!=", ">", ">=", "<", "<="},
}
_SORTABLE = {"updated", "created", "key", "rank"}
_DATE_FORMATS = ("%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d", "%Y-%m-%d")
_PERIOD = re.compile(r"^([-+]?)\s*((?:\d+[wdhm]\s*)+)$")
_PERIOD_PART = re.compile(r"(\d+)([wdhm])")
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}


class JqlError(ValueError):
    """A query Jira would reject; ``str(exc)`` is Jira's message."""


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # "str", "op", "word", "end"
    text: str
    pos: int

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "word" else self.text


@dataclass(frozen=True, slots=True)
class Query:
    where: Predicate | None
    order: tuple[tuple[str, bool], ...]  # (field, descending)

    @property
    def bounded(self) -> bool:
        return self.where is not None

    def run(self, issues: Sequence[Issue]) -> list[Issue]:
        found = [i for i in issues if self.where is None or self.where(i)]
        for name, desc in reversed(self.order or (("key", True),)):
            found.sort(key=_SORT_KEYS[name], reverse=desc)
        return found


_SORT_KEYS: dict[str, Callable[[Issue], Any]] = {
    "updated": lambda i: i.updated,
    "created": lambda i: i.created,
    "key": lambda i: (i.project, i.number),
    "rank": lambda i: str(i.values.get("rank", "")),
}


def _tokenize(text: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise JqlError(
                f"Error in the JQL Query: The character '{text[pos]}' is a reserved "
                f"JQL character. (line 1, character {pos + 1})"
            )
        kind = match.lastgroup or "word"
        raw = match.group(kind)
        if kind == "str":
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
        tokens.append(_Tok(kind, raw, match.start(kind) + 1))
        pos = match.end()
    tokens.append(_Tok("end", "", len(text) + 1))
    return tokens


class _Parser:
    def __init__(self, text: str, ws: JiraWorkspace, tz: tzinfo, now: datetime | None) -> None:
        self.toks = _tokenize(text)
        self.i = 0
        self.ws = ws
        self.tz = tz
        self.now = now

    @property
    def tok(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def at_word(self, *words: str) -> bool:
        return self.tok.kind == "word" and self.tok.upper in words

    def fail(self, expecting: str) -> JqlError:
        got = self.tok.text if self.tok.kind != "end" else "<EOF>"
        shown = f"'{got}'" if self.tok.kind != "end" else "end of input"
        if self.tok.kind == "end":
            return JqlError(
                f"Error in the JQL Query: Expecting {expecting} but reached the "
                f"{shown}. (line 1, character {self.tok.pos})"
            )
        return JqlError(
            f"Error in the JQL Query: Expecting {expecting} but got {shown}. "
            f"(line 1, character {self.tok.pos})"
        )

    def query(self) -> Query:
        where = None if self.at_word("ORDER") or self.tok.kind == "end" else self.or_expr()
        order: list[tuple[str, bool]] = []
        if self.at_word("ORDER"):
            self.take()
            if not self.at_word("BY"):
                raise self.fail("'by'")
            self.take()
            order.append(self.sort_field())
            while self.tok.text == "," and self.tok.kind == "op":
                self.take()
                order.append(self.sort_field())
            if len(order) > 7:
                raise JqlError("The ORDER BY clause can contain a maximum of 7 fields.")
        if self.tok.kind != "end":
            raise self.fail("either 'OR' or 'AND'" if where else "'BY'")
        return Query(where, tuple(order))

    def sort_field(self) -> tuple[str, bool]:
        tok = self.take()
        name = _FIELD_ALIASES.get(tok.text.lower(), tok.text.lower())
        if tok.kind not in {"word", "str"}:
            raise JqlError(
                f"Error in the JQL Query: Expecting a field name but got '{tok.text}'. "
                f"(line 1, character {tok.pos})"
            )
        if name not in _SORTABLE:
            raise JqlError(
                f"Field '{tok.text}' does not exist or you do not have permission to view it."
                if name not in _OPS_BY_FIELD
                else f"Not able to sort using field '{tok.text}'."
            )
        desc = False
        if self.at_word("ASC", "DESC"):
            desc = self.take().upper == "DESC"
        return name, desc

    def or_expr(self) -> Predicate:
        parts = [self.and_expr()]
        while self.at_word("OR"):
            self.take()
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else (lambda i: any(p(i) for p in parts))

    def and_expr(self) -> Predicate:
        parts = [self.not_expr()]
        while self.at_word("AND"):
            self.take()
            parts.append(self.not_expr())
        return parts[0] if len(parts) == 1 else (lambda i: all(p(i) for p in parts))

    def not_expr(self) -> Predicate:
        if self.at_word("NOT"):
            self.take()
            inner = self.not_expr()
            return lambda i: not inner(i)
        if self.tok.kind == "op" and self.tok.text == "(":
            self.take()
            inner = self.or_expr()
            if self.tok.text != ")" or self.tok.kind != "op":
                raise self.fail("')'")
            self.take()
            return inner
        return self.clause()

    def clause(self) -> Predicate:
        tok = self.take()
        if tok.kind not in {"word", "str"}:
            raise JqlError(
                f"Error in the JQL Query: Expecting a field name but got '{tok.text}'. "
                f"(line 1, character {tok.pos})"
            )
        name = _FIELD_ALIASES.get(tok.text.lower())
        if name is None:
            raise JqlError(
                f"Field '{tok.text}' does not exist or you do not have permission to view it."
            )
        op = self.operator()
        if op not in _OPS_BY_FIELD[name]:
            raise JqlError(
                f"The operator '{op.upper()}' is not supported by the '{tok.text}' field."
            )
        values = self.values(list_wanted=op in {"in", "not in"})
        positive = _BUILDERS[name](self, tok.text, op, values)
        return (lambda i: not positive(i)) if op in {"!=", "not in"} else positive

    def operator(self) -> str:
        tok = self.tok
        if tok.kind == "op" and tok.text in {"=", "!=", ">", ">=", "<", "<=", "~", "!~"}:
            self.take()
            return tok.text
        if self.at_word("IN"):
            self.take()
            return "in"
        if self.at_word("NOT") and self.toks[self.i + 1].upper == "IN":
            self.i += 2
            return "not in"
        if self.at_word("IS"):
            self.take()
            return "is"
        raise self.fail(f"operator. {_VALID_OPS}" if tok.kind != "end" else "operator")

    def values(self, list_wanted: bool) -> list[str]:
        if self.tok.kind == "op" and self.tok.text == "(":
            if not list_wanted:
                raise self.fail("either a value or function")
            self.take()
            found = [self.value()]
            while self.tok.kind == "op" and self.tok.text == ",":
                self.take()
                found.append(self.value())
            if not (self.tok.kind == "op" and self.tok.text == ")"):
                raise self.fail("')'")
            self.take()
            return found
        value = self.value()
        if list_wanted and not value.endswith("()"):
            raise JqlError(
                f"Error in the JQL Query: Expecting '(' but got '{value}'. "
                f"(line 1, character {self.toks[self.i - 1].pos})"
            )
        return [value]

    def value(self) -> str:
        tok = self.tok
        if tok.kind not in {"word", "str"}:
            what = tok.text if tok.kind != "end" else "<EOF>"
            raise JqlError(
                f"Error in the JQL Query: Expecting either a value, list or function but got "
                f"'{what}'. You must surround '{what}' in quotation marks to use it as a value. "
                f"(line 1, character {tok.pos})"
            )
        self.take()
        if tok.kind == "word" and self.tok.kind == "op" and self.tok.text == "(":
            self.take()
            if not (self.tok.kind == "op" and self.tok.text == ")"):
                raise self.fail("')'")
            self.take()
            return tok.text + "()"
        return tok.text


def _sprint_clause(p: _Parser, shown: str, op: str, values: list[str]) -> Predicate:
    wanted: set[int] = set()
    for value in values:
        if value.lower() == "opensprints()":
            wanted |= {s.id for s in p.ws.sprints.values() if s.state != "closed"}
        elif value.lower() == "closedsprints()":
            wanted |= {s.id for s in p.ws.sprints.values() if s.state == "closed"}
        elif value.endswith("()"):
            raise JqlError(f"Unable to find JQL function '{value}'.")
        elif value.isdigit() and int(value) in p.ws.sprints:
            wanted.add(int(value))
        else:
            by_name = [s.id for s in p.ws.sprints.values() if s.name.lower() == value.lower()]
            if not by_name:
                raise JqlError(f"The value '{value}' does not exist for the field '{shown}'.")
            wanted |= set(by_name)
    # Jira matches the issue's Sprint field as it is now: closed sprints stay on issues
    # completed in them, and an issue removed from a sprint no longer matches it.
    return lambda i: bool(wanted & set(i.sprint_ids))


def _project_clause(p: _Parser, shown: str, op: str, values: list[str]) -> Predicate:
    wanted: set[str] = set()
    for value in values:
        found = [
            pr.key
            for pr in p.ws.projects.values()
            if value.upper() == pr.key or value == str(pr.id) or value.lower() == pr.name.lower()
        ]
        if not found:
            raise JqlError(f"The value '{value}' does not exist for the field '{shown}'.")
        wanted.add(found[0])
    return lambda i: i.project in wanted


def _key_clause(p: _Parser, shown: str, op: str, values: list[str]) -> Predicate:
    wanted: set[str] = set()
    for value in values:
        issue = p.ws.issue(value)
        if issue is None:
            if value.isdigit() or value.split("-")[0].upper() in p.ws.projects:
                raise JqlError(
                    f"An issue with key '{value.upper()}' does not exist for field '{shown}'."
                )
            raise JqlError(f"The issue key '{value}' for field '{shown}' is invalid.")
        wanted.add(issue.key)
    return lambda i: i.key in wanted


def _date_clause(p: _Parser, shown: str, op: str, values: list[str]) -> Predicate:
    at = parse_jql_date(values[0], p.tz, shown, now=p.now)
    attr = "updated" if shown.lower().startswith("updated") else "created"
    compare: dict[str, Callable[[datetime], bool]] = {
        "=": lambda t: t == at,
        "!=": lambda t: t == at,
        ">": lambda t: t > at,
        ">=": lambda t: t >= at,
        "<": lambda t: t < at,
        "<=": lambda t: t <= at,
    }
    check = compare[op]
    return lambda i: check(getattr(i, attr))


_BUILDERS: dict[str, Callable[[_Parser, str, str, list[str]], Predicate]] = {
    "sprint": _sprint_clause,
    "project": _project_clause,
    "key": _key_clause,
    "updated": _date_clause,
    "created": _date_clause,
}


def parse_jql_date(
    value: str, tz: tzinfo, shown: str = "updated", *, now: datetime | None = None
) -> datetime:
    """A JQL date literal, read in the requesting user's time zone; a period (``-90m``)
    is relative to ``now``, the server's clock."""
    text = value.strip()
    if text.isdigit():
        return datetime.fromtimestamp(int(text) / 1000, tz=tz)
    period = _PERIOD.match(text.lower())
    if period and now is not None:
        span = sum(
            (timedelta(**{_UNITS[unit]: int(n)}) for n, unit in _PERIOD_PART.findall(period[2])),
            timedelta(),
        )
        return now - span if period[1] == "-" else now + span
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=tz)
        except ValueError:
            continue
    raise JqlError(
        f"Date value '{value}' for field '{shown}' is invalid. Valid formats include: "
        "'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format "
        "e.g. '-5d', '4w 2d'."
    )


def parse_jql(text: str, ws: JiraWorkspace, tz: tzinfo, now: datetime | None = None) -> Query:
    """Parse and resolve ``text`` against ``ws`` (periods relative to ``now``); raise
    JqlError with Jira's message."""
    return _Parser(text, ws, tz, now).query()
