"""Reply -> Slack Block Kit (slack_sdk.models), inside Slack's limits, always with a plain-text fallback.

Limits kept: at most 50 blocks a message (the rest trimmed with a "more" note), header text 150 characters,
section text 3000 characters (long lists split over several sections, then trimmed), button labels 75 characters.
User-provided text is escaped for mrkdwn (&, <, >), in the blocks and in the `text` fallback alike, so nobody can
smuggle a <!channel> mention or a disguised <url|label> link into a message.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from handlers.reply import Link, Reply, Section

MAX_BLOCKS = 50
SECTION_TEXT_MAX = 3000
HEADER_MAX = 150
BUTTON_LABEL_MAX = 75
FALLBACK_MAX = 3900  # the text fallback; Slack truncates very long messages anyway


def escape(text: str) -> str:
    """mrkdwn control characters (Slack's own rule: only &, < and > need escaping)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _chunks(lines: list[str], limit: int = SECTION_TEXT_MAX) -> list[str]:
    """Join lines into texts of at most `limit` characters (a single over-long line is clipped)."""
    out: list[str] = []
    current = ""
    for line in lines:
        line = clip(line, limit)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            out.append(current)
            current = line
        else:
            current = candidate
    if current:
        out.append(current)
    return out


TONE_MARK = {"good": ":white_check_mark:", "attention": ":no_entry:"}


def section_blocks(section: Section) -> list[Block]:
    if section.tone in TONE_MARK and section.text and not (section.facts or section.items or section.heading):
        text = clip(f"{TONE_MARK[section.tone]} *{escape(section.text)}*", 2000)
        return [ContextBlock(elements=[MarkdownTextObject(text=text)])]
    lines: list[str] = []
    if section.heading:
        lines.append(f"*{escape(section.heading)}*")
    if section.text:
        lines.extend(escape(section.text).splitlines() or [""])
    lines.extend(f"*{escape(f.label)}:* {escape(f.value)}" for f in section.facts)
    lines.extend(f"• {item_text(item, section.item_link(n))}" for n, item in enumerate(section.items))
    lines.extend(link_text(link) for link in section.links)
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=t)) for t in _chunks(lines) if t.strip()]
    if section.more:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=clip(escape(section.more), 2000))]))
    return blocks


def link_text(link: Link) -> str:
    """`<url|label>`: a labelled link. Addresses are http(s) (ours, or an agenda link checked as one, whose label
    names its host); `<`, `>`, `|` and spaces, which would end the link early, are dropped from it."""
    url = "".join(c for c in link.url if c not in "<>| ")
    return f"<{url}|{escape(link.label)}>"


def item_text(item: str, link: Link | None) -> str:
    """A list item, escaped; with a link, its label (how the item starts) becomes `<url|label>`, else the link
    follows the item."""
    if link is None:
        return escape(item)
    if item.startswith(link.label):
        return link_text(link) + escape(item[len(link.label) :])
    return f"{escape(item)} {link_text(link)}"


def button(action: str, label: str, value: str, style: str = "") -> ButtonElement:
    return ButtonElement(
        action_id=action,
        text=PlainTextObject(text=clip(label, BUTTON_LABEL_MAX), emoji=False),
        value=value,
        style=style or None,
    )


def reply_blocks(reply: Reply) -> list[Block]:
    """The reply as at most 50 blocks: header, sections (divided), buttons; a trimmed tail becomes a note."""
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text=clip(reply.title, HEADER_MAX), emoji=False))]
    for i, section in enumerate(reply.sections):
        if i:
            blocks.append(DividerBlock())
        blocks.extend(section_blocks(section))
    tail: list[Block] = []
    if reply.buttons:
        tail.append(
            ActionsBlock(
                block_id="actions",
                elements=[button(b.action, b.label, b.value, b.style) for b in reply.buttons[:25]],
            )
        )
    room = MAX_BLOCKS - len(tail)
    if len(blocks) > room:
        kept = blocks[: room - 1]
        note = "… more in the full text (this message was trimmed to fit Slack)"
        blocks = [*kept, ContextBlock(elements=[MarkdownTextObject(text=note)])]
    return blocks + tail


def fallback_text(reply: Reply) -> str:
    """The plain-text rendering (notifications, screen readers, clients without blocks), escaped like the blocks:
    Slack parses `text` too, so user text such as `<!channel>` or `<https://evil|label>` must stay literal."""
    return escape(clip(reply.to_text(), FALLBACK_MAX))


def message_payload(reply: Reply) -> dict[str, Any]:
    """`text` + `blocks` as chat.postMessage / chat.update / respond take them."""
    return {"text": fallback_text(reply), "blocks": [b.to_dict() for b in reply_blocks(reply)]}


def message_view(reply: Reply, *, title: str = "TD-CEU") -> dict[str, Any]:
    """A modal showing a reply (a confirmation after a form, or an apology); only a Close button."""
    from slack_sdk.models.views import View

    blocks = reply_blocks(reply)[: MAX_BLOCKS - 1]
    return View(
        type="modal",
        title=PlainTextObject(text=clip(title, 24)),
        close=PlainTextObject(text="Close"),
        blocks=blocks,
    ).to_dict()
