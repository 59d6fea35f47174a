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
from pipelines.plan.yamlcheck import Problems, YMap, check_keys, entries, load_yaml, one_of, unique_id

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
        p.add(path, doc.line_of(key), f"{where}{key}",
              "channel_env_value" if "://" in text or len(text) > 40 else "channel_env_name")
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
        p.add(path, None, "", "channels_shape")
        p.raise_if_any()
    check_keys(p, path, doc, "", {"base_url", "channels"})
    base_url = doc.get("base_url")
    if base_url is not None and not re.match(r"^https?://[^\s/]+", str(base_url)):
        p.add(path, doc.line_of("base_url"), "base_url", "channels_base_url", value=base_url)
        base_url = None
    out, seen = [], {}
    for _, c, where in entries(p, path, doc, "channels", "{id, type, …}"):
        check_keys(p, path, c, where, KEYS)
        cid = unique_id(p, path, c, where, seen, missing="channel_id")
        kind = one_of(p, path, c, "type", where, TYPES) if cid else None
        if kind is None:
            continue
        lang = c.get("lang", "zh")
        if lang not in ("zh", "en"):
            p.add(path, c.line_of("lang"), f"{where}lang", "channel_lang", value=lang)
        viewer = c.get("as")
        if viewer is not None and access.configured and access.user(str(viewer)) is None:
            p.add(path, c.line_of("as"), f"{where}as", "channel_as_unknown", value=viewer)
        if viewer is None and access.configured and access.auth != "open":
            p.add(path, c.line, f"{where}as", "channel_as_needed", auth=access.auth)
        webhook, secret = _env_name(p, path, c, "webhook_env", where), _env_name(p, path, c, "secret_env", where)
        smtp = _env_name(p, path, c, "smtp_env", where)
        if kind in CHAT and webhook is None and "webhook_env" not in c:
            p.add(path, c.line, f"{where}webhook_env", "channel_webhook_needed", kind=kind)
        to = tuple(str(a) for a in (c.get("to") or []))
        if kind == "email":
            if smtp is None and "smtp_env" not in c:
                p.add(path, c.line, f"{where}smtp_env", "channel_smtp_needed")
            if not to or not all(EMAIL.match(a) for a in to):
                p.add(path, c.line_of("to"), f"{where}to", "channel_to_needed")
        alerts = tuple(str(a) for a in (c.get("alerts") or []))
        for a in alerts:
            if a not in ALERTS:
                p.add(path, c.line_of("alerts"), f"{where}alerts", "yaml_one_of", value=repr(a),
                      known=", ".join(ALERTS))
        out.append(Channel(id=cid, type=kind, lang=lang if lang in ("zh", "en") else "zh",
                           as_user=None if viewer is None else str(viewer), webhook_env=webhook, secret_env=secret,
                           smtp_env=smtp, to=to, alerts=alerts))
    p.raise_if_any()
    return Channels(base_url=None if base_url is None else str(base_url), channels=tuple(out))
