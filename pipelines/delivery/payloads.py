"""What each chat service's robot accepts, built exactly as its documentation says (issue 21). Pure functions: the
sending (retries, rate limits, errcode) is another module's; the stand-in servers of the tests check these shapes.

- WeCom (企业微信) group robot: `{"msgtype": "markdown", "markdown": {"content": …}}`, content at most 4096 bytes of
  UTF-8; an image as `{"msgtype": "image", "image": {"base64": …, "md5": …}}`, the PNG or JPG at most 2 MB before
  encoding, md5 of the raw bytes.
- DingTalk (钉钉) custom robot, signed: `&timestamp=<ms>&sign=<urlencoded base64 HmacSHA256(secret,
  "<timestamp>\\n<secret>")>` on the webhook URL; `{"msgtype": "markdown", "markdown": {"title": …, "text": …}}`.
- Feishu (飞书) custom bot, signed in the body: `timestamp` (seconds, as text) and `sign` = base64 HmacSHA256 with
  the key "<timestamp>\\n<secret>" over an empty message; `{"msg_type": "text", "content": {"text": …}}`.

Text from the plan (zone names, key-result titles) is made inert for the services' Markdown (`md_escape`).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote_plus

WECOM_MARKDOWN_BYTES = 4096
WECOM_IMAGE_BYTES = 2 * 1024 * 1024
DINGTALK_TEXT_BYTES = 20000
FEISHU_BODY_BYTES = 20 * 1024
# The robots' Markdown dialects are subsets whose backslash escapes are not documented (WeCom's, DingTalk's), so a
# backslash could show as itself: the characters that make links, images, tags, emphasis, code, headings, quotes and
# tables become their full-width twins instead, which read the same to a person and mean nothing to the parser.
_MD = str.maketrans({"[": "［", "]": "］", "<": "＜", ">": "＞", "*": "＊", "_": "＿", "`": "｀", "#": "＃",
                     "|": "｜", "~": "～", "\\": "＼"})


def md_escape(text: str) -> str:
    """Plan text inside a chat service's Markdown, inert: no link, image, tag, emphasis, code, heading, quote or
    table can start in it (full-width twins, see above), no bare URL is linked (`://` broken), one line."""
    return " ".join(str(text).splitlines()).translate(_MD).replace("://", ":／／")


def fit(lines: list[str], limit: int, more: str) -> str:
    """The lines joined, cut at a whole line so the UTF-8 text stays within `limit` bytes; `more` (a pointer to the
    board) ends a text that had to be cut. The first line always stays."""
    text = "\n".join(lines)
    if len(text.encode("utf-8")) <= limit:
        return text
    kept = [lines[0]]
    for line in lines[1:]:
        if len("\n".join([*kept, line, more]).encode("utf-8")) > limit:
            break
        kept.append(line)
    return "\n".join([*kept, more])


def wecom_markdown(lines: list[str], more: str = "…") -> dict:
    return {"msgtype": "markdown", "markdown": {"content": fit(lines, WECOM_MARKDOWN_BYTES, more)}}


def wecom_image(image: bytes) -> dict:
    if len(image) > WECOM_IMAGE_BYTES:
        raise ValueError(f"the image is {len(image) / 1048576:.1f} MB; WeCom takes at most 2 MB")
    return {"msgtype": "image", "image": {"base64": base64.b64encode(image).decode("ascii"),
                                          "md5": hashlib.md5(image).hexdigest()}}  # noqa: S324 - the API's checksum


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode("utf-8"), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


def dingtalk_url(webhook: str, secret: str | None, timestamp_ms: int) -> str:
    """The webhook URL, signed when the robot has a secret (its "加签" security setting)."""
    if not secret:
        return webhook
    return (f"{webhook}{'&' if '?' in webhook else '?'}timestamp={timestamp_ms}&sign="
            f"{dingtalk_sign(secret, timestamp_ms)}")


def dingtalk_markdown(title: str, lines: list[str], more: str = "…") -> dict:
    return {"msgtype": "markdown", "markdown": {"title": title,
                                                "text": fit(lines, DINGTALK_TEXT_BYTES, more).replace("\n", "\n\n")}}


def feishu_sign(secret: str, timestamp_s: int) -> str:
    key = f"{timestamp_s}\n{secret}".encode("utf-8")
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


def feishu_text(lines: list[str], secret: str | None, timestamp_s: int, more: str = "…") -> dict:
    body = {"msg_type": "text", "content": {"text": fit(lines, FEISHU_BODY_BYTES - 512, more)}}
    if secret:
        body = {"timestamp": str(timestamp_s), "sign": feishu_sign(secret, timestamp_s), **body}
    return body
