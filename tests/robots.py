"""Local stand-ins for the chat robots and a mail server, on 127.0.0.1, for the brief's tests.

Each `Robot` checks what its service documents and answers as the service does:
- WeCom group robot (`/cgi-bin/webhook/send?key=…`): markdown content ≤ 4096 bytes (else errcode 40058), an image's
  base64 decodes to a PNG / JPG ≤ 2 MB whose md5 matches (else 40009 / 40010);
- DingTalk custom robot (`/robot/send?access_token=…`): with a secret, `timestamp` (ms, within an hour) and `sign` =
  urlencoded base64 HmacSHA256(secret, "timestamp\\nsecret") in the URL (else errcode 310000 "sign not match");
  markdown needs a title and a text;
- Feishu custom bot (`/open-apis/bot/v2/hook/…`): with a secret, `timestamp` (s) and `sign` in the body, the HMAC keyed
  by "timestamp\\nsecret" over nothing (else code 19021);
- all three: more than 20 messages in a minute is a rate-limit answer (45009 / 130101 / 9499), as documented.
`script` forces the next answers (status, body) before the checks, e.g. a 503 or a rate limit.

`Mailbox` is aiosmtpd's real SMTP server keeping every message it accepts.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PATHS = {"wecom": "/cgi-bin/webhook/send?key=TEST-KEY", "dingtalk": "/robot/send?access_token=TEST-TOKEN",
         "feishu": "/open-apis/bot/v2/hook/TEST-HOOK"}
RATE = {"wecom": ("errcode", 45009, "api freq out of limit"), "dingtalk": ("errcode", 130101, "send too fast"),
        "feishu": ("code", 9499, "too many request")}


def _answer(kind: str, code: int = 0, message: str = "ok") -> dict:
    if kind == "feishu":
        return {"code": code, "msg": "success" if code == 0 else message, "data": {}}
    return {"errcode": code, "errmsg": message}


def json_server(answer) -> ThreadingHTTPServer:
    """A threaded HTTP server on a free 127.0.0.1 port, already serving: each POST's JSON body goes to
    `answer(path, content_type, body)`, which returns (status, answer, headers); an answer that is not bytes is sent
    as JSON. Stop it with shutdown() and server_close()."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):          # noqa: N802 - http.server's name
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            status, reply, headers = answer(self.path, self.headers.get("Content-Type", ""), body)
            raw = reply if isinstance(reply, bytes) else json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class Robot:
    def __init__(self, kind: str, secret: str | None = None, script=()):
        self.kind, self.secret, self.script = kind, secret, list(script)
        self.received: list[dict] = []          # accepted messages
        self.refused: list[tuple[dict, dict]] = []
        self.times: list[float] = []
        self.server = json_server(lambda path, kind_, body: (*self.answer(path, kind_, body), {}))
        self.url = f"http://127.0.0.1:{self.server.server_port}{PATHS[kind]}"

    def answer(self, path: str, content_type: str, body: dict) -> tuple[int, dict]:
        if self.script:
            return self.script.pop(0)
        if "application/json" not in content_type:
            return 200, self._no(body, 40035, "invalid Content-Type")
        now = time.time()
        self.times = [t for t in self.times if now - t < 60] + [now]
        if len(self.times) > 20:
            key, code, message = RATE[self.kind]
            return 200, self._no(body, code, message)
        problem = getattr(self, f"_check_{self.kind}")(path, body)
        if problem:
            return 200, self._no(body, *problem)
        self.received.append(body)
        return 200, _answer(self.kind)

    def _no(self, body: dict, code: int, message: str) -> dict:
        answer = _answer(self.kind, code, message)
        self.refused.append((body, answer))
        return answer

    def _check_wecom(self, path: str, body: dict):
        if parse_qs(urlsplit(path).query).get("key") != ["TEST-KEY"]:
            return 93000, "invalid webhook url"
        kind = body.get("msgtype")
        if kind == "markdown":
            content = body.get("markdown", {}).get("content", "")
            if not content or len(content.encode("utf-8")) > 4096:
                return 40058, "markdown.content exceed max length 4096"
        elif kind == "image":
            raw = base64.b64decode(body["image"]["base64"], validate=True)
            if len(raw) > 2 * 1024 * 1024 or not raw.startswith((b"\x89PNG", b"\xff\xd8")):
                return 40009, "invalid image size"
            if hashlib.md5(raw).hexdigest() != body["image"]["md5"]:  # noqa: S324 - the API's checksum
                return 40010, "invalid image md5"
        elif kind != "text":
            return 40008, "invalid message type"
        return None

    def _check_dingtalk(self, path: str, body: dict):
        query = parse_qs(urlsplit(path).query)
        if query.get("access_token") != ["TEST-TOKEN"]:
            return 300001, "token is not exist"
        if self.secret:
            stamp, sign = (query.get("timestamp") or [""])[0], (query.get("sign") or [""])[0]
            if not stamp.isdigit() or abs(time.time() * 1000 - int(stamp)) > 3600_000:
                return 310000, "invalid timestamp"
            digest = hmac.new(self.secret.encode(), f"{stamp}\n{self.secret}".encode(), hashlib.sha256).digest()
            if sign != base64.b64encode(digest).decode():          # parse_qs has undone the URL encoding
                return 310000, "sign not match"
        if body.get("msgtype") == "markdown":
            if not body["markdown"].get("title") or not body["markdown"].get("text"):
                return 400002, "missing title or text"
        elif body.get("msgtype") != "text":
            return 40035, "invalid msgtype"
        return None

    def _check_feishu(self, path: str, body: dict):
        if self.secret:
            stamp = str(body.get("timestamp", ""))
            if not stamp.isdigit() or abs(time.time() - int(stamp)) > 3600:
                return 19021, "sign match fail or timestamp is not within one hour from current time"
            key = f"{stamp}\n{self.secret}".encode()
            if body.get("sign") != base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode():
                return 19021, "sign match fail or timestamp is not within one hour from current time"
        if body.get("msg_type") != "text" or not body.get("content", {}).get("text"):
            return 19002, "params error, msg_type need"
        return None

    def texts(self) -> list[str]:
        """The words of every accepted message."""
        out = []
        for b in self.received:
            if self.kind == "wecom" and b["msgtype"] == "markdown":
                out.append(b["markdown"]["content"])
            elif self.kind == "dingtalk":
                out.append(b["markdown"]["text"])
            elif self.kind == "feishu":
                out.append(b["content"]["text"])
        return out

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Mailbox:
    """aiosmtpd on 127.0.0.1: a real SMTP conversation; `messages` are the parsed messages it accepted."""

    def __init__(self):
        from email import message_from_bytes, policy

        from aiosmtpd.controller import Controller

        box = self
        self.messages = []

        class Handler:
            async def handle_DATA(self, server, session, envelope):      # noqa: N802 - aiosmtpd's name
                box.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
                return "250 OK"

        from tests.conftest import free_port

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def env(self, prefix: str = "NS_SMTP") -> dict[str, str]:
        return {f"{prefix}_HOST": "127.0.0.1", f"{prefix}_PORT": str(self.port), f"{prefix}_TLS": "none",
                f"{prefix}_FROM": "northstar@example.com"}

    def close(self) -> None:
        self.controller.stop()
