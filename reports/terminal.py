"""Rendering rich renderables to text: the terminal formats (table, trend, ``show``)
share one console setup, so width and colour behave the same in all of them."""

from __future__ import annotations

import io

from rich.console import Console, RenderableType


def make_console(width: int, color: bool) -> Console:
    """A console that writes into memory at exactly ``width`` columns."""
    return Console(
        file=io.StringIO(),
        width=width,
        color_system="standard" if color else None,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        emoji=False,
        legacy_windows=False,
    )


def render_to_text(renderables: list[RenderableType], *, width: int, color: bool) -> str:
    console = make_console(width, color)
    for renderable in renderables:
        console.print(renderable)
    output = console.file
    assert isinstance(output, io.StringIO)
    return output.getvalue()
