"""channels.yaml (pipelines/delivery/channels.py, issue 21): read with every field, every problem named with its line,
no webhook URL or secret ever in the file, and the variables' values read from the environment with a sentence when
one is missing."""
from __future__ import annotations

import pytest

from pipelines.base.errors import NorthstarError
from pipelines.delivery.channels import Channel, load_channels
from pipelines.plan.access import OPEN, Access, User
from pipelines.plan.yamlcheck import PlanError

ACCESS = Access(auth="password", users=(User("ceo", "林总", "leader"), User("lead-north", "萧宇", "zone_lead",
                                                                             war_zone="north")))
GOOD = """\
base_url: https://northstar.example.com
channels:
  - {id: hq-wecom, type: wecom, webhook_env: NS_WECOM_HQ, as: ceo, lang: zh}
  - {id: north-ding, type: dingtalk, webhook_env: NS_DING_NORTH, secret_env: NS_DING_NORTH_SECRET, as: lead-north}
  - {id: hq-feishu, type: feishu, webhook_env: NS_FEISHU_HQ, as: ceo, lang: en}
  - {id: hq-mail, type: email, smtp_env: NS_SMTP, to: [ceo@example.com], as: ceo, lang: en, alerts: [status_worse]}
"""


def write(tmp_path, text):
    (tmp_path / "channels.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_every_field_is_read(tmp_path):
    channels = load_channels(write(tmp_path, GOOD), ACCESS)
    assert channels.base_url == "https://northstar.example.com"
    assert [c.id for c in channels.channels] == ["hq-wecom", "north-ding", "hq-feishu", "hq-mail"]
    assert channels.get("north-ding") == Channel("north-ding", "dingtalk", "zh", "lead-north", "NS_DING_NORTH",
                                                 "NS_DING_NORTH_SECRET")
    assert channels.get("hq-mail").to == ("ceo@example.com",) and channels.get("hq-mail").alerts == ("status_worse",)
    with pytest.raises(NorthstarError, match="no channel 'x' in channels.yaml \\(channels: hq-wecom, north-ding"):
        channels.get("x")


def test_no_file_no_channels(tmp_path):
    assert load_channels(tmp_path, ACCESS).channels == ()


def test_every_problem_with_its_line(tmp_path):
    write(tmp_path, """\
base_url: northstar.example.com
channels:
  - {id: a, type: slack, webhook_env: X_HOOK}
  - {id: b, type: wecom, webhook_env: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"}
  - {id: c, type: dingtalk, as: stranger, webhook_env: NS_D, lang: fr}
  - {id: d, type: email, smtp_env: NS_SMTP, to: [not-an-address]}
  - {id: b, type: feishu, webhook_env: NS_F}
  - {id: e, type: feishu}
  - {id: f, type: wecom, webhook_env: NS_W, alerts: [everything], url: x}
  - {id: g, type: wecom, webhook_env: NS_W}
""")
    with pytest.raises(PlanError) as err:
        load_channels(tmp_path, ACCESS)
    text = str(err.value)
    for expected in ("line 1, base_url: 'northstar.example.com': the board's address",
                     "line 3, channels[0].type: 'slack': expected one of wecom, dingtalk, feishu, email",
                     "line 4, channels[1].webhook_env: the name of an environment variable (capitals, digits, _), e.g. "
                     "NS_WECOM_HQ — this looks like the URL or the secret itself",
                     "line 5, channels[2].lang: 'fr': zh or en",
                     "line 5, channels[2].as: 'stranger' is not a person of access.yaml",
                     "line 6, channels[3].to: an email channel needs to: [addresses]",
                     "line 7, channels[4].id: 'b' is listed twice (first on line 4)",
                     "line 8, channels[5].webhook_env: a feishu channel needs webhook_env",
                     "line 9, channels[6].alerts: 'everything': expected one of status_worse, build_failed",
                     "line 9, channels[6].url: unknown field",
                     "line 10, channels[7].as: with sign-in on (auth: password), a channel names whose view it gets"):
        assert expected in text, expected


def test_as_is_free_without_access_rules(tmp_path):
    write(tmp_path, "channels:\n  - {id: a, type: wecom, webhook_env: NS_W, as: anyone}\n  - {id: b, type: wecom, "
                    "webhook_env: NS_W}\n")
    assert load_channels(tmp_path, OPEN).get("a").as_user == "anyone"
    assert load_channels(tmp_path, OPEN).get("b").as_user is None          # the whole company, as everyone sees it


def test_the_webhook_and_secret_come_from_the_environment(tmp_path):
    ding = load_channels(write(tmp_path, GOOD), ACCESS).get("north-ding")
    env = {"NS_DING_NORTH": " https://oapi.dingtalk.com/robot/send?access_token=t ", "NS_DING_NORTH_SECRET": "SEC1"}
    assert ding.webhook(env) == "https://oapi.dingtalk.com/robot/send?access_token=t" and ding.secret(env) == "SEC1"
    with pytest.raises(NorthstarError, match="environment variable NS_DING_NORTH, which is not set"):
        ding.webhook({})
    assert load_channels(tmp_path, ACCESS).get("hq-wecom").secret({}) is None


def test_or_from_streamlits_secrets_file(tmp_path, monkeypatch):
    """No variable in the environment: the same key of .streamlit/secrets.toml (the environment wins)."""
    from pipelines.delivery import channels as mod

    secrets = tmp_path / "secrets.toml"
    secrets.write_text('NS_WECOM_HQ = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=from-file"\n'
                       '[auth]\nclient_id = "x"\n', encoding="utf-8")
    monkeypatch.setattr(mod, "SECRETS", secrets)
    monkeypatch.delenv("NS_WECOM_HQ", raising=False)
    wecom = load_channels(write(tmp_path, GOOD), ACCESS).get("hq-wecom")
    assert wecom.webhook() == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=from-file"
    monkeypatch.setenv("NS_WECOM_HQ", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=from-env")
    assert wecom.webhook() == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=from-env"
    monkeypatch.delenv("NS_WECOM_HQ")
    secrets.write_text("NS_WECOM_HQ = [broken", encoding="utf-8")
    with pytest.raises(NorthstarError, match="secrets.toml is not readable TOML"):
        wecom.webhook()
