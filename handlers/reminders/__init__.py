"""The daily reminder sweep (SPEC §4): what is due today, decided set-based, and its exactly-once delivery.

Three parts, each its own module:

- `plan` — who gets which reminder when. `decide` reads everything in a handful of queries (people, everyone's
  credits, chat platforms, the reminder log of this and the previous FY, pending review items, the catalog) and
  returns a Plan of `Due` reminders and review `Repost`s (`due` holds those two and the kinds):

  - fy_deadline: to every active director not yet compliant, the latest due step of the FY series (90..1 days before
    September 30, a weekend moved to the Friday before; after downtime only the latest missed one);
  - fy_complete: one congratulation to a compliant director, after which no more FY reminders that FY;
  - cto_academy: 180/90/30/7 days before the CTO Academy deadline, then monthly while overdue, none once completed
    (logged under the FY its send date falls in, so a step is never repeated across a FY boundary);
  - review_digest: daily to each reviewers' channel while an item has waited more than the policy's
    review_wait_days, and to report directors no platform could reach;
  - decision notices are not here: they are outbox rows of the decision (handlers.review_flow, storage.outbox);
  - reposts (not in the log): pending items ready for review with no post on a configured reviewers' channel (their
    first post failed), posted again through handlers.review_flow.ReviewFlow.post (idempotent per item and platform).

  Snoozed directors are skipped except for the steps rules.calendar.can_snooze refuses (the final 7- and 1-day ones).
- `text` — the Reply each reminder renders (written only when it is sent or listed in a dry run).
- `delivery` — `sweep` claims each reminder in the log just before sending it (storage.reminders.claim), sends it
  through every platform the director is known on (or the first platform that can find them by e-mail), and marks it
  sent or releases it for the next sweep; `remind` on the CLI and the scheduler's daily job both call it. Sending is
  paced by the caller; deciding never is.
- `pacing` — Pace / PacedNotifier: sends per channel at most one a second, within a workspace-wide budget
  (CEU_SLACK_MESSAGES_PER_MINUTE, CEU_TEAMS_MESSAGES_PER_MINUTE), paused by a 429's Retry-After.
"""
