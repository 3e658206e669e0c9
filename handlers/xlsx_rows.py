"""Many rows of plain values into an xlsxwriter worksheet fast: the year-end report's 13,000 x 18 cells.

xlsxwriter spends ~10 µs a cell in its per-cell dispatch and XML writer; `write_rows` writes the very XML xlsxwriter
writes for a row of numbers, plain strings and blanks (`<row r="5"><c r="A5" t="inlineStr">...`) straight into the
constant-memory row file, several times faster. A row holding anything else (a string to escape, with leading or
trailing space or very long, a bool, a date, NaN) goes through xlsxwriter's own `write_row`, and so does the whole
table when the sheet is not in the plain state this relies on (see `_fast_path_ok`), so the file is the one
xlsxwriter would write: tests/test_report_xlsx_rows.py compares the sheet XML of both ways byte for byte. This
reads xlsxwriter internals (the row file, the row cursor, the dimensions, column formats) of the version pinned
in constraints.txt; that test fails if a new version writes rows differently."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

# What xlsxwriter would change in a string: XML escapes, control characters, its _xHHHH_ escape, non-characters,
# leading or trailing white space (xml:space="preserve"); a string of more than 16,383 characters may be too long.
_NOT_PLAIN = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$")
_LONG = 16_383


class RowsSheet(Worksheet):
    """A worksheet with `write_rows` (pass `worksheet_class=RowsSheet` to `Workbook.add_worksheet`)."""

    def write_rows(self, first: int, rows: Sequence[Sequence[object]]) -> None:
        """Rows `first`, `first + 1`, ... from column 0, as `write_row` would write each of them."""
        width = max((len(r) for r in rows), default=0)
        if not self._fast_path_ok(first, len(rows), width):
            for n, values in enumerate(rows, start=first):
                self.write_row(n, 0, values)
            return
        self._write_single_row(first)  # out goes the row being built (the header); the cursor moves to `first`
        cols = _Columns(self, width)
        out: list[str] = []
        for n, values in enumerate(rows, start=first):
            xml = self._row_xml(n, values, cols)
            if xml is None:  # not plain: xlsxwriter's own way, then on
                self.fh.write("".join(out))
                out.clear()
                self.previous_row = n
                self.write_row(n, 0, values)
                self._write_single_row(n + 1)
            elif xml:
                out.append(xml)
        self.fh.write("".join(out))
        self.previous_row = first + len(rows) - 1

    def _fast_path_ok(self, first: int, count: int, width: int) -> bool:
        last = first + count - 1
        return (
            count > 0
            and bool(self.constant_memory)
            and first > self.previous_row
            and last < self.xls_rowmax
            and width <= self.xls_colmax
            and not (self.strings_to_formulas or self.strings_to_urls or self.strings_to_numbers)
            and not self.write_handlers
            and self.default_row_height == self.original_row_height
            and self.excel_version != 2010
            and not any(first <= r <= last for r in self.row_info)
            and not any(first <= r <= last for r in self.comments)
        )

    def _row_xml(self, n: int, values: Sequence[object], cols: _Columns) -> str | None:
        """The row's XML as xlsxwriter writes it, "" when it writes nothing, None when the row is not plain.
        The dimensions grow by the cells written, as xlsxwriter's do."""
        ref = str(n + 1)
        cells: list[str] = []
        lo = hi = -1
        for c, v in enumerate(values):
            kind = v.__class__
            if kind is str:
                if not v:
                    continue  # a blank without a format: xlsxwriter writes nothing
                if len(v) > _LONG or _NOT_PLAIN.search(v):  # type: ignore[arg-type]
                    return None
                cells.append(f"{cols.start[c]}{ref}{cols.texts[c] or cols.text(c)}{v}</t></is></c>")
            elif kind is float or kind is int:
                if not math.isfinite(v):  # type: ignore[arg-type]
                    return None
                cells.append(f"{cols.start[c]}{ref}{cols.numbers[c] or cols.number(c)}{v:.16G}</v></c>")
            elif v is None:
                continue
            else:
                return None
            if lo < 0:
                lo = c
            hi = c
        if lo < 0:
            return ""
        self._check_dimensions(n, lo)
        self._check_dimensions(n, hi)
        return f'<row r="{ref}">{"".join(cells)}</row>'


class _Columns:
    """Per column, the text around a cell's reference and value (`texts`, `numbers`: filled on first use). A plain
    cell takes its column's format, whose index xlsxwriter gives on first use: so it is looked up when the
    column's first cell is written, as there."""

    def __init__(self, ws: Worksheet, width: int) -> None:
        self.ws = ws
        self.start = [f'<c r="{xl_col_to_name(c)}' for c in range(width)]
        self.styles: list[str | None] = [None] * width
        self.texts: list[str] = [""] * width
        self.numbers: list[str] = [""] * width

    def style(self, c: int) -> str:
        s = self.styles[c]
        if s is None:
            info = self.ws.col_info.get(c)
            fmt = info.column_format if info is not None else None
            s = self.styles[c] = "" if fmt is None else f' s="{fmt._get_xf_index()}"'
        return s

    def text(self, c: int) -> str:
        self.texts[c] = f'"{self.style(c)} t="inlineStr"><is><t>'
        return self.texts[c]

    def number(self, c: int) -> str:
        self.numbers[c] = f'"{self.style(c)}><v>'
        return self.numbers[c]
