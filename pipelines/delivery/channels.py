"""channels.yaml: where the morning brief goes (issue 21), checked like the other plan files.

    base_url: https://northstar.example.com      # the board's address, for the brief's link
    channels:
      - {id: hq-wecom, type: wecom, webhook_env: NS_WECOM_HQ, as: ceo, lang: zh}
      - {id: north-ding, type: dingtalk, webhook_env: NS_DING_NORTH, secret_env: NS_DING_NORTH_SECRET, as: lead-north}
      - {id: hq-mail, type: email, smtp_env: NS_SMTP, to: [ceo@example.com], lang: en, alerts: [status_worse]}

A webhook URL or a secret is never in this file (nor in the plan store): the file names the environment variable that
holds it (or the same key in `.streamlit/secrets.toml`, git-ignored), and a value that looks like a URL or a key is
refused with the line to fix. `as:` is a person of access.yaml; the brief is rendered as they would see it (without
access rules, or with `auth: open`: the whole company). With sign-in on, every channel must name its person: a brief
never shows more than someone may see.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from pipelines.base.errors import NorthstarError
from pipelines.base.paths import ROOT
from pipelines.plan.access import Access
from pipelines.plan.org import Problems, YMap, check_keys, load_yaml

TYPES = ("wecom", "dingtalk", "feishu", "email")
CHAT = ("wecom", "dingtalk", "feishu")
ALERTS = ("status_worse", "build_failed")
KEYS = {"id", "type", "lang", "as", "webhook_env", "secret_env", "smtp_env", "to", "alerts"}
ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]{1,63}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Channel:
    id: str
    type: str
    lang: str = "zh"
    as_user: str | None = None
    webhook_env: str | None = None
    secret_env: str | None = None
    smtp_env: str | None = None
    to: tuple[str, ...] = ()
    alerts: tuple[str, ...] = ()

    def webhook(self, env=None) -> str:
        """The webhook URL from its environment variable (a sentence naming the variable when it is not set)."""
        return _from_env(self, self.webhook_env, "channel_webhook_unset", env)

    def secret(self, env=None) -> str | None:
        return _from_env(self, self.secret_env, "channel_secret_unset", env) if self.secret_env else None


SECRETS = ROOT / ".streamlit" / "secrets.toml"


def secret_value(name: str, env=None, secrets: Path | None = None) -> str:
    """The value of `name`: the environment variable, else the same top-level key of Streamlit's secrets file
    (`.streamlit/secrets.toml`, git-ignored; where the identity provider's secret lives too); '' when neither."""
    value = (env if env is not None else os.environ).get(name, "").strip()
    if value or env is not None:
        return value
    path = SECRETS if secrets is None else secrets
    if path.is_file():
        import tomllib

        try:
            found = tomllib.loads(path.read_text(encoding="utf-8")).get(name)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise NorthstarError("toml_unreadable", path=str(path), err=str(exc), name=name) from None
        return str(found).strip() if isinstance(found, (str, int)) else ""
    return ""


def _from_env(channel: Channel, name: str | None, unset: str, env=None) -> str:
    value = secret_value(name or "", env)
    if not value:
        raise NorthstarError(unset, channel=channel.id, name=name)
    return value


@dataclass(frozen=True)
class Channels:
    base_url: str | None = None
    channels: tuple[Channel, ...] = ()

    def get(self, channel_id: str) -> Channel:
        found = next((c for c in self.channels if c.id == channel_id), None)
        if found is None:
            known = ", ".join(c.id for c in self.channels) or "none"
            raise NorthstarError("channel_unknown", channel=channel_id, known=known)
        return found


def _env_name(p: Problems, path, doc: YMap, key: str, where: str) -> str | None:
    value = doc.get(key)
    if value is None:
        return None
    text = str(value)
    if not ENV_NAME.match(text):
        hint = (" — this looks like the URL or the secret itself: put it in an environment variable and name the "
                "variable here" if "://" in text or len(text) > 40 else "")
        p.add(path, doc.line_of(key), f"{where}{key}",
              f"the name of an environment variable (capitals, digits, _), e.g. NS_WECOM_HQ{hint}")
        return None
    return text


def load_channels(config: Path, access: Access) -> Channels:
    """channels.yaml from the plan folder; no file: no channels. Every problem with its line, all at once."""
    path = Path(config) / "channels.yaml"
    if not path.exists():
        return Channels()
    doc = load_yaml(path) or YMap()
    p = Problems()
    if not isinstance(doc, dict):
        p.add(path, None, "", "expected base_url: and channels: (see docs/admin-guide.md, 'The morning brief')")
        p.raise_if_any()
    check_keys(p, path, doc, "", {"base_url", "channels"})
    base_url = doc.get("base_url")
    if base_url is not None and not re.match(r"^https?://[^\s/]+", str(base_url)):
        p.add(path, doc.line_of("base_url"), "base_url", f"{base_url!r}: the board's address, http(s)://…")
        base_url = None
    out, seen = [], {}
    raw = doc.get("channels") or []
    if not isinstance(raw, list):
        p.add(path, doc.line_of("channels"), "channels", "expected a list of {id, type, …}")
        raw = []
    for i, c in enumerate(raw):
        where = f"channels[{i}]."
        if not isinstance(c, dict):
            p.add(path, getattr(c, "line", None), f"channels[{i}]", "expected {id, type, …}")
            continue
        check_keys(p, path, c, where, KEYS)
        cid = str(c.get("id") or "").strip()
        if not cid:
            p.add(path, c.line, f"{where}id", "missing id (what `brief --channel ID` names)")
            continue
        if cid in seen:
            p.add(path, c.line_of("id"), f"{where}id", f"{cid!r} is listed twice (first on line {seen[cid]})")
            continue
        seen[cid] = c.line_of("id")
        kind = c.get("type")
        if kind not in TYPES:
            p.add(path, c.line_of("type"), f"{where}type", f"{kind!r}: expected one of {', '.join(TYPES)}")
            continue
        lang = c.get("lang", "zh")
        if lang not in ("zh", "en"):
            p.add(path, c.line_of("lang"), f"{where}lang", f"{lang!r}: zh or en")
        viewer = c.get("as")
        if viewer is not None and access.configured and access.user(str(viewer)) is None:
            p.add(path, c.line_of("as"), f"{where}as", f"{viewer!r} is not a person of access.yaml: the brief is "
                  "rendered as this person sees it")
        if viewer is None and access.configured and access.auth != "open":
            p.add(path, c.line, f"{where}as", f"with sign-in on (auth: {access.auth}), a channel names whose view it "
                  "gets: as: a person of access.yaml (a zone lead's group gets the zone lead's board)")
        webhook, secret = _env_name(p, path, c, "webhook_env", where), _env_name(p, path, c, "secret_env", where)
        smtp = _env_name(p, path, c, "smtp_env", where)
        if kind in CHAT and webhook is None and "webhook_env" not in c:
            p.add(path, c.line, f"{where}webhook_env", f"a {kind} channel needs webhook_env: the variable holding its "
                  "robot's webhook URL")
        to = tuple(str(a) for a in (c.get("to") or []))
        if kind == "email":
            if smtp is None and "smtp_env" not in c:
                p.add(path, c.line, f"{where}smtp_env", "an email channel needs smtp_env: the prefix of the variables "
                      "holding the server (NS_SMTP → NS_SMTP_HOST, NS_SMTP_PORT, NS_SMTP_USER, NS_SMTP_PASSWORD)")
            if not to or not all(EMAIL.match(a) for a in to):
                p.add(path, c.line_of("to"), f"{where}to", "an email channel needs to: [addresses]")
        alerts = tuple(str(a) for a in (c.get("alerts") or []))
        for a in alerts:
            if a not in ALERTS:
                p.add(path, c.line_of("alerts"), f"{where}alerts", f"{a!r}: expected one of {', '.join(ALERTS)}")
        out.append(Channel(id=cid, type=kind, lang=lang if lang in ("zh", "en") else "zh",
                           as_user=None if viewer is None else str(viewer), webhook_env=webhook, secret_env=secret,
                           smtp_env=smtp, to=to, alerts=alerts))
    p.raise_if_any()
    return Channels(base_url=None if base_url is None else str(base_url), channels=tuple(out))
