"""Reading an admin's CSV file: UTF-8 (with or without BOM), required columns checked, rows with line numbers."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from handlers.control_chars import describe, escape_controls, first_refused


class ImportRefused(Exception):
    """The file was refused as a whole; `problems` lists every bad row by line number."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, str]

    def get(self, key: str) -> str:
        return (self.values.get(key) or "").strip()


def read_rows(data: bytes, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> list[Row]:
    """The file's rows (columns neither required nor optional are left out: `ignored_columns` names them)."""
    text = _text(data)
    # strict: a stray or unclosed quote is an error, not a field that silently swallows the following lines
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        fieldnames = reader.fieldnames
    except csv.Error as exc:
        raise ImportRefused([f"line 1: the header is not valid CSV ({exc})"]) from None
    header = [h.strip().lower() for h in (fieldnames or [])]
    bad_header = [(n, h) for n, h in enumerate(header, 1) if first_refused(h)]
    if bad_header:
        raise ImportRefused([_control_problem(1, n, escape_controls(h), h) for n, h in bad_header])
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportRefused([_separator_problem(header) or _missing_problem(missing, required)])
    twice = sorted({h for h in header if h and header.count(h) > 1})
    if twice:
        raise ImportRefused([f"line 1: column(s) {', '.join(twice)} appear more than once"])
    reader.fieldnames = header
    known = {*required, *optional}
    rows: list[Row] = []
    done = reader.line_num  # the last line of the last good record
    try:
        for values in reader:
            done = reader.line_num
            # the line the record starts on (a quoted field may span lines)
            line = done - sum((v or "").count("\n") for k, v in values.items() if isinstance(v, str))
            if not any((v or "").strip() for k, v in values.items() if k is not None):
                continue  # blank line
            if None in values:
                rows.append(Row(line, {"__extra__": "x"}))
                continue
            rows.append(Row(line, {k: v or "" for k, v in values.items() if k in known}))
    except csv.Error as exc:
        raise ImportRefused([f"line {done + 1}: not valid CSV ({exc}); check the quotes on this line"]) from None
    _refuse_controls(rows, header)
    if not rows:  # an empty export is a mistake an admin wants to hear about, not a silent "0 added"
        raise ImportRefused(["the file has a header but no rows: nothing to import (is it the right export?)"])
    return rows


def _text(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(["the file is not UTF-8 text (save it from the spreadsheet as CSV UTF-8)"]) from None
    if not text.strip():
        raise ImportRefused(["the file is empty: no header and no rows (is it the right file?)"])
    return text


def _header(text: str) -> list[str]:
    first = next(csv.reader(io.StringIO(text, newline="")), [])
    return [h.strip().lower() for h in first]


def ignored_columns(data: bytes, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> list[str]:
    """Header names the import does not use (a file read by read_rows: valid UTF-8 CSV)."""
    known = {*required, *optional}
    return [h for h in dict.fromkeys(_header(data.decode("utf-8-sig"))) if h and h not in known]


SEPARATORS = {";": "semicolons (;)", "\t": "tabs"}


def _separator_problem(header: list[str]) -> str | None:
    """A file saved with another separator reads as one column holding the whole header."""
    if len(header) != 1:
        return None
    for sep, name in SEPARATORS.items():
        if sep in header[0]:
            return (
                f"line 1: the columns are separated by {name}, not commas; save the file from the spreadsheet as "
                "'CSV (comma delimited)' (Excel in some languages writes semicolons)"
            )
    return None


def _missing_problem(missing: list[str], required: tuple[str, ...]) -> str:
    return f"line 1: missing column(s) {', '.join(missing)} (expected {', '.join(required)})"


def _control_problem(line: int, column: int, name: str, cell: str) -> str:
    char = first_refused(cell) or "\0"
    return f"line {line}, column {column} ({name}): contains {describe(char)}; remove it and save the file again"


def _refuse_controls(rows: list[Row], header: list[str]) -> None:
    """A NUL byte or another control character (but tab, CR, LF) in any cell refuses the file, every such cell
    named by line and column (PostgreSQL cannot store NUL; the others corrupt names and terminals)."""
    problems = [
        _control_problem(row.line, header.index(key) + 1, key, cell)
        for row in rows
        for key, cell in row.values.items()
        if key in header and first_refused(cell)
    ]
    if problems:
        raise ImportRefused(problems)


def iter_progress(rows: list[Row], label: str, show: bool) -> Iterator[Row]:
    """Rows, with a progress bar on the terminal for large files."""
    if not show or len(rows) < 5000:
        yield from rows
        return
    from rich.progress import track

    yield from track(rows, description=label, transient=True)


ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
US_DAY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")  # 10/15/2024, the US spreadsheet default
YMD_DAY = re.compile(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})")  # 2024/10/15


def parse_date(text: str, what: str = "date") -> date:
    """Only YYYY-MM-DD (date.fromisoformat alone also takes 20250630 and week dates like 2025-W01-1); a date
    written another common way is refused with the same date in the right form ("use 2024-10-15")."""
    t = text.strip()
    try:
        if not ISO_DAY.fullmatch(t):
            raise ValueError(t)
        return date.fromisoformat(t)
    except ValueError:
        hint = _iso_hint(t)
        raise ValueError(f"{what} '{t}' is not a date like 2025-03-14" + (f": use {hint}" if hint else "")) from None


def _iso_hint(text: str) -> str | None:
    """The ISO form of a month/day/year or year/month/day date, when it is a real day."""
    us, ymd = US_DAY.fullmatch(text), YMD_DAY.fullmatch(text)
    if us:
        month, day, year = (int(g) for g in us.groups())
    elif ymd:
        year, month, day = (int(g) for g in ymd.groups())
    else:
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def parse_bool(text: str, default: bool, what: str) -> bool:
    t = text.strip().lower()
    if not t:
        return default
    if t in {"true", "yes", "y", "1"}:
        return True
    if t in {"false", "no", "n", "0"}:
        return False
    raise ValueError(f"{what} '{text.strip()}' is not true or false")
