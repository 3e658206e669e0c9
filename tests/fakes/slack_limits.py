"""What Slack would refuse in a message or a view: every `blocks` / `view` payload parsed back through
`slack_sdk.models` (Block.parse, View) and rendered again, which runs the SDK's checks of Slack's published limits
(header 150, section text 3000, button text 75, 24-character view titles, 3000 characters of private_metadata…),
plus the limits the SDK does not check: 50 blocks a message (100 a view), a `text` of at most 40,000 characters,
options (kept as plain dicts by the SDK) with text and description of at most 75 characters, 100 to a list.
A key the SDK does not know (dropped on the way back) is a problem too.

    problems = message_problems({"text": ..., "blocks": [...]})   # [] when Slack would take it
    problems = view_problems(view)
"""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

OPTION_TEXT_MAX = 75  # an option's text and its description
OPTION_VALUE_MAX = 150
OPTIONS_MAX = 100  # options in a select (or groups in it, or options in a group)
MESSAGE_BLOCKS_MAX = 50
VIEW_BLOCKS_MAX = 100
MESSAGE_TEXT_MAX = 40_000


def _dropped(original: Any, again: Any, where: str) -> list[str]:
    """Keys of `original` that did not survive the SDK's parse and render (unknown to Slack's model)."""
    if isinstance(original, dict) and isinstance(again, dict):
        out = [f"{where}.{k}: not a Block Kit field" for k in original if k not in again]
        for k in original:
            if k in again:
                out += _dropped(original[k], again[k], f"{where}.{k}")
        return out
    if isinstance(original, list) and isinstance(again, list):
        if len(original) != len(again):
            return [f"{where}: {len(original)} items came back as {len(again)}"]
        out = []
        for i, (a, b) in enumerate(zip(original, again, strict=True)):
            out += _dropped(a, b, f"{where}[{i}]")
        return out
    return []


def _text_of(obj: Any) -> str:
    return str(obj.get("text", "")) if isinstance(obj, dict) else str(obj or "")


def option_problems(node: Any, where: str) -> list[str]:
    """Options wherever they are (the SDK keeps parsed options as plain dicts and checks none of them): text and
    description at most 75 characters, value at most 150, at most 100 options (or groups) in a list."""
    out: list[str] = []
    if isinstance(node, list):
        for i, item in enumerate(node):
            out += option_problems(item, f"{where}[{i}]")
        return out
    if not isinstance(node, dict):
        return out
    for key in ("options", "option_groups"):
        if isinstance(node.get(key), list) and len(node[key]) > OPTIONS_MAX:
            out.append(f"{where}.{key}: {len(node[key])}, over Slack's {OPTIONS_MAX}")
    for key in ("options", "initial_options"):
        for i, option in enumerate(node.get(key) or [] if isinstance(node.get(key), list) else []):
            out += _one_option(option, f"{where}.{key}[{i}]")
    if isinstance(node.get("initial_option"), dict):
        out += _one_option(node["initial_option"], f"{where}.initial_option")
    for i, group in enumerate(node.get("option_groups") or [] if isinstance(node.get("option_groups"), list) else []):
        if len(_text_of(group.get("label") if isinstance(group, dict) else "")) > OPTION_TEXT_MAX:
            out.append(f"{where}.option_groups[{i}].label: over {OPTION_TEXT_MAX} characters")
    for key, value in node.items():
        if key not in ("options", "initial_options", "initial_option"):
            out += option_problems(value, f"{where}.{key}")
    return out


def _one_option(option: Any, where: str) -> list[str]:
    if not isinstance(option, dict):
        return [f"{where}: not an option object"]
    out = []
    for key, limit in (("text", OPTION_TEXT_MAX), ("description", OPTION_TEXT_MAX), ("value", OPTION_VALUE_MAX)):
        if key in option and len(_text_of(option[key])) > limit:
            out.append(f"{where}.{key}: {len(_text_of(option[key]))} characters, over Slack's {limit}")
    if "text" not in option or "value" not in option:
        out.append(f"{where}: an option needs text and value")
    return out


def blocks_problems(blocks: Any, where: str, limit: int) -> list[str]:
    if not isinstance(blocks, list):
        return [f"{where}: blocks is not a list"]
    out = [f"{where}: {len(blocks)} blocks, over Slack's {limit}"] if len(blocks) > limit else []
    out += option_problems(blocks, where)
    for i, raw in enumerate(blocks):
        place = f"{where}[{i}]"
        try:
            block = Block.parse(raw)
            if block is None:
                out.append(f"{place}: not a block Slack knows: {str(raw)[:80]}")
                continue
            out += _dropped(raw, block.to_dict(), place)
        except (SlackObjectFormationError, TypeError, ValueError, KeyError) as exc:
            out.append(f"{place} ({raw.get('type') if isinstance(raw, dict) else '?'}): {exc}")
    return out


def message_problems(params: dict[str, Any], where: str = "message") -> list[str]:
    """A chat.postMessage / chat.update / chat.postEphemeral / response_url / slash-command answer."""
    out: list[str] = []
    text = params.get("text")
    if isinstance(text, str) and len(text) > MESSAGE_TEXT_MAX:
        out.append(f"{where}.text: {len(text)} characters, over Slack's {MESSAGE_TEXT_MAX}")
    if "blocks" in params and params["blocks"] is not None:
        out += blocks_problems(params["blocks"], f"{where}.blocks", MESSAGE_BLOCKS_MAX)
    return out


def view_problems(raw: Any, where: str = "view") -> list[str]:
    """A views.open / update / push / publish view, or a view in a response_action answer."""
    if not isinstance(raw, dict):
        return [f"{where}: not an object"]
    out = blocks_problems(raw.get("blocks") or [], f"{where}.blocks", VIEW_BLOCKS_MAX)
    try:
        again = View(**raw).to_dict()
        out += [p for p in _dropped(raw, again, where) if ".blocks" not in p]
    except (SlackObjectFormationError, TypeError, ValueError, KeyError) as exc:
        out.append(f"{where}: {exc}")
    return out


def payload_problems(method: str, params: dict[str, Any]) -> list[str]:
    """What Slack would refuse in the payload of a Web API call (or a post to a response_url)."""
    if method in ("views.open", "views.update", "views.push", "views.publish"):
        return view_problems(params.get("view"), f"{method}.view")
    if method in ("chat.postMessage", "chat.update", "chat.postEphemeral", "chat.scheduleMessage", "response_url"):
        return message_problems(params, method)
    return []


def answer_problems(answer: Any) -> list[str]:
    """An HTTP answer to Slack (a slash command's or an interaction's ack): a message, or a response_action view."""
    if not isinstance(answer, dict):
        return []
    if isinstance(answer.get("view"), dict):
        return view_problems(answer["view"], "ack.view")
    return message_problems(answer, "ack")
