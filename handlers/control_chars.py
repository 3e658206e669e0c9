"""Control characters in text people send us: what is refused, how it is named, and how text is made safe to
print on a terminal.

- Refused in every CSV cell and chat form field: the C0 controls except tab, CR and LF (NUL, ESC, backspace...)
  and DEL. PostgreSQL cannot store NUL at all; the others forge terminal output and log lines.
- `escape_controls` makes any text safe to echo to the admin's terminal: C0 (but newline and tab), DEL, the C1
  controls (U+009B is a one-character CSI on some terminals) and the Unicode bidi overrides are shown as \\xNN /
  \\uNNNN, so a roster name holding ESC[2J prints as text instead of clearing the screen.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

REFUSED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_UNSAFE_ON_TERMINAL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_NAMES = {0: "NUL", 8: "backspace", 0x1B: "ESC", 0x7F: "DEL"}


def first_refused(text: str) -> str | None:
    """The first refused control character in `text`, or None."""
    found = REFUSED.search(text)
    return found.group() if found else None


def describe(char: str) -> str:
    """'a NUL byte (0x00)', 'a control character ESC (0x1b)' ..."""
    code = ord(char)
    name = _NAMES.get(code)
    if code == 0:
        return "a NUL byte (0x00)"
    return f"a control character {name} (0x{code:02x})" if name else f"a control character (0x{code:02x})"


def field_problem(text: str) -> str | None:
    """The field error for text holding a refused control character, or None."""
    char = first_refused(text)
    if char is None:
        return None
    return f"Contains {describe(char)}, which cannot be saved; please retype it without control characters."


def control_errors(values: Mapping[str, str | list[str]]) -> dict[str, str]:
    """Field errors (by field id) for every form answer that holds a refused control character."""
    errors: dict[str, str] = {}
    for key, raw in values.items():
        for text in raw if isinstance(raw, list) else [raw]:
            problem = field_problem(text) if isinstance(text, str) else None
            if problem:
                errors[key] = problem
                break
    return errors


def _escaped(found: re.Match[str]) -> str:
    code = ord(found.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """`text` with every character that could drive a terminal shown as an escape (newline and tab kept)."""
    return _UNSAFE_ON_TERMINAL.sub(_escaped, text)
