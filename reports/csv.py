"""CSV for the retrospective: one row per change, UTF-8, ISO-8601 UTC times.

Columns (a stable order; new ones are only ever appended):

    sprint, issue_key, issue_title, issue_url, changed_at, changed_by, verdict,
    criteria_added, criteria_removed, criteria_modified, evidence_kind, evidence_url,
    reason, diff_text, days_into_sprint, sprint_start, sprint_end, changed_by_id,
    added_after_start, baseline_approximate, saves, phrases, sprint_id, source,
    defined_after_start, scope, estimate_at_start, estimate_now, reestimated_at,
    reestimated_by, estimate_note, changed_at_utc, risks, evidence_text[, changed_at_local]

``criteria_added``/``_removed``/``_modified`` are counts, so a spreadsheet can sum and
sort them; ``diff_text`` holds the readable diff, one criterion per line, each line
starting with ``added:``, ``removed:`` or ``changed: before → after`` (for a cosmetic
change, the lines it touched as ``was:``/``now:``, so the claim can be checked).
``changed_at_utc`` is ``2024-05-06 09:00:00``, which Excel and LibreOffice read as a
date; with ``--tz`` a last column ``changed_at_local`` gives the same in that zone.
``risks`` are the call-outs of reworded criteria (``number: 80 → 70``), ``evidence_text``
what each piece of evidence that counted says, one a line. Several evidence
kinds, URLs or phrases in one cell are joined with ``"; "``. Booleans are ``true``/``false``;
``days_into_sprint`` is days from sprint start to the change, one decimal.
``scope`` is ``expanded``/``reduced``/``rewritten`` (empty for cosmetic and unknown
changes); the estimate columns are empty where the tracker has no estimate, and
``estimate_note`` says ``scope grew, no re-estimate`` where that is so.

A cell a spreadsheet would run as a formula (starting with ``= + - @``, a tab or a
carriage return, also after leading whitespace) gets a leading ``'``, so a hostile issue
title cannot run in Excel or LibreOffice. Lines end in ``\\n`` (also inside a cell, where
a ``\\r`` becomes ``\\n``); ``bom=True`` prepends a
UTF-8 byte-order mark, which Excel on Windows needs to read UTF-8.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

import pandas as pd

from reports.frame import frame_changes, frame_trend
from tracker.findings import SprintReport, TrendPoint

BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Prefix ``'`` to a text cell that a spreadsheet would evaluate; leave others alone."""
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(_FORMULA_START) or value.lstrip().startswith(_FORMULA_START):
        return "'" + value
    return value


def clean_cell(value: object) -> object:
    """A neutralised cell whose line breaks are all ``\n``: a lone ``\r`` would not be
    quoted and would split the row for every reader."""
    value = neutralise(value)
    if isinstance(value, str) and "\r" in value:
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def write_csv(frame: pd.DataFrame, *, bom: bool = False) -> str:
    """The frame as CSV text with every text cell neutralised."""
    safe = frame.astype(object).map(clean_cell)
    text = safe.to_csv(index=False, lineterminator="\n", na_rep="")
    return (BOM if bom else "") + text


def render_csv(report: SprintReport, *, bom: bool = False, tz: tzinfo | None = None) -> str:
    return write_csv(frame_changes(report, tz), bom=bom)


def render_trend_csv(points: Sequence[TrendPoint], *, bom: bool = False) -> str:
    return write_csv(frame_trend(points), bom=bom)
