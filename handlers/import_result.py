"""What an import did, and the one-line summary the CLI and the chat preview print."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ImportResult:
    kind: str
    rows: int
    added: int
    updated: int = 0
    skipped: int = 0
    uncredited: int = 0
    confirmed: int = 0  # pending chat submissions replaced by ALET's attendance record of the same hours
    people: int = 0  # attendance: directors with records added
    quarters: int = 0  # attendance: hours added (quarter-hours)
    ignored: tuple[str, ...] = ()  # header names this import does not use (left out, with a warning)
    corrected: int = 0  # records already imported whose strands this file corrects
    moved: int = 0  # later-dated records of a no-repeat activity whose credit moved to an earlier-dated row

    def summary(self) -> str:
        parts = [f"{self.rows} rows read", f"{self.added} added"]
        if self.updated:
            parts.append(f"{self.updated} updated")
        if self.corrected:
            parts.append(f"{self.corrected} corrected (strands changed)")
        if self.skipped:
            parts.append(f"{self.skipped} already recorded")
        if self.uncredited:
            parts.append(f"{self.uncredited} recorded without credit (repeats or courses that do not count)")
        if self.moved:
            n = self.moved
            parts.append(
                f"{n} later-dated record{'s' if n != 1 else ''} of a course or one-time activity no longer "
                "credited (the credit moved to the earlier-dated row)"
            )
        if self.confirmed:
            n = self.confirmed
            parts.append(
                f"{n} of them replace{'s' if n == 1 else ''} pending chat submission{'s' if n != 1 else ''} "
                "for the same activity and day (approved by this attendance, no longer waiting for review)"
            )
        text = f"{self.kind} import: " + ", ".join(parts) + "."
        if self.ignored:
            text += f" Warning: column(s) {', '.join(self.ignored)} ignored (not read by the {self.kind} import)."
        return text
