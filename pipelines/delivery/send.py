"""Posting a message to a chat robot, never losing one silently (issue 21).

`post_json(url, body)` sends one JSON message and reads the service's answer the way each documents it: HTTP 200
with `errcode` 0 (WeCom, DingTalk) or `code` / `StatusCode` 0 (Feishu) is delivered; a rate-limit answer (HTTP 429,
WeCom 45009, DingTalk 130101 "send too fast", Feishu 9499 / 11232) or a server error (5xx, a dropped connection)
is tried again after a growing pause (1, 2, 4 … seconds, capped; a `Retry-After` header is obeyed); anything else
is a failure at once. A failure raises `SendFailed` with the service's own message, and the caller exits ≠ 0.
No proxy from the environment is used: the robots are called directly (or through the stand-ins in the tests).
"""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from pipelines.base.errors import NorthstarError

RATE_LIMITED = {45009, 130101, 9499, 11232}
MAX_PAUSE = 30.0


class SendFailed(NorthstarError):
    def __init__(self, what: str, detail: str, attempts: int):
        self.detail, self.attempts = detail, attempts
        if attempts > 1:
            super().__init__("send_failed", what=what, attempts=attempts, detail=detail)
        else:
            super().__init__("send_failed_once", what=what, detail=detail)


@dataclass
class Delivery:
    attempts: int
    answer: dict


def _code(answer: dict) -> tuple[int, str]:
    for key in ("errcode", "code", "StatusCode"):
        if key in answer:
            try:
                return int(answer[key]), str(answer.get("errmsg") or answer.get("msg") or answer.get("StatusMessage")
                                             or "")
            except (TypeError, ValueError):
                return -1, str(answer)
    return 0, ""


def _redact(url: str) -> str:
    """A webhook URL is a secret: only its host (and port) shows in a message — never its path, query or a
    `user:password@` in front of the host."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return "the webhook"
    if not host:
        return "the webhook"
    return f"{host}:{port}" if port else host


def _safe(text: object, url: str) -> str:
    """A driver's or socket's message with anything of the URL's secrets in it blanked out."""
    from urllib.parse import urlsplit

    out = str(text)
    try:
        parts = urlsplit(url)
        for secret in (parts.password, parts.username, parts.path if len(parts.path) > 1 else None, parts.query):
            if secret:
                out = out.replace(secret, "***")
    except ValueError:
        pass
    return out


def post_json(url: str, body: dict, what: str = "the brief", attempts: int = 5, timeout: float = 15.0,
              sleep=time.sleep) -> Delivery:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    try:
        urllib.request.Request(url)
    except ValueError as exc:              # not a URL at all: say so without its secrets
        raise SendFailed(what, f"{_redact(url)}: the webhook address is not a valid URL ({_safe(exc, url)})", 1) \
            from None
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    pause, detail = 1.0, ""
    for attempt in range(1, attempts + 1):
        request = urllib.request.Request(url, data=data, method="POST",
                                         headers={"Content-Type": "application/json; charset=utf-8"})
        retry_after = None
        try:
            with opener.open(request, timeout=timeout) as response:
                raw = response.read()
            try:
                answer = json.loads(raw.decode("utf-8") or "{}")
            except (UnicodeDecodeError, json.JSONDecodeError):
                raise SendFailed(what, f"{_redact(url)} answered with something that is not JSON", attempt) from None
            code, message = _code(answer)
            if code == 0:
                return Delivery(attempt, answer)
            detail = f"{_redact(url)} said {code} {message}".strip()
            if code not in RATE_LIMITED:
                raise SendFailed(what, detail, attempt)
        except urllib.error.HTTPError as exc:
            detail = f"{_redact(url)} answered HTTP {exc.code} {exc.reason}"
            if exc.code != 429 and exc.code < 500:
                raise SendFailed(what, detail, attempt) from None
            retry_after = exc.headers.get("Retry-After") if exc.headers else None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            detail = f"{_redact(url)} could not be reached ({_safe(getattr(exc, 'reason', exc), url)})"
        except ValueError as exc:          # http.client.InvalidURL and the like: the URL itself is wrong
            raise SendFailed(what, f"{_redact(url)}: the webhook address is not a valid URL "
                                   f"({_safe(exc, url)})", attempt) from None
        if attempt < attempts:
            try:
                wait = float(retry_after) if retry_after else pause
            except ValueError:
                wait = pause
            sleep(min(wait, MAX_PAUSE))
            pause = min(pause * 2, MAX_PAUSE)
    raise SendFailed(what, detail, attempts)
