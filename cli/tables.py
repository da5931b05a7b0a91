"""Tables as people read them: folded between words, as records when too narrow, "none" when
empty; one rule for deedctl, deedflow and the demo."""

from __future__ import annotations

import re

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text


def _plain(cell) -> str:
    return cell.plain if isinstance(cell, Text) else Text.from_markup(str(cell)).plain


def _widths(columns: list[list[str]], screen: int) -> list[int] | None:
    """Each column's width when every one can hold its longest word (widths on the screen, where
    a Chinese character takes two), the room left shared out as the columns' text would use it;
    None when the words do not fit side by side. Set here, because rich, short of room, narrows
    the widest columns whatever they hold."""
    need = [
        max((cell_len(word) for text in column for word in text.split()), default=1) for column in columns
    ]
    whole = [
        max((cell_len(line) for text in column for line in text.splitlines()), default=1)
        for column in columns
    ]
    # A cell's padding and its border: three characters a column, and one to close the row.
    room = screen - 3 * len(columns) - 1
    if sum(need) > room:
        return None
    wants = [max(w - n, 0) for w, n in zip(whole, need, strict=True)]
    extra = room - sum(need)
    if sum(wants) <= extra:
        return [n + w for n, w in zip(need, wants, strict=True)]
    return [n + extra * w // sum(wants) for n, w in zip(need, wants, strict=True)]


def show_table(table: Table, out: Console) -> None:
    """A table as people read it: "none" when it is empty; as a table when every column can hold
    its longest word, so that lines break between words and never inside a number, a name or a
    hash; otherwise each row as "column: value" lines, which a narrow terminal wraps at words."""
    title = re.sub(r"\s*\(\d+\)$", "", str(table.title or "")) or "nothing"
    if table.row_count == 0:
        out.print(f"{title}: none")
        return
    columns = [[str(c.header), *(_plain(cell) for cell in c.cells)] for c in table.columns]
    widths = _widths(columns, out.width)
    if widths is not None:
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width
        out.print(table)
        return
    if table.title:
        out.print(str(table.title), style="bold")
    if not table.show_header and len(columns) == 2:
        for key, value in zip(columns[0][1:], columns[1][1:], strict=True):
            out.print(Text(f"{key}: {value}"), overflow="fold")
        return
    for row in range(table.row_count):
        for column in columns:
            label = f"{column[0]}: " if column[0] else ""
            out.print(Text(label + column[row + 1]), overflow="fold")
        out.print()
