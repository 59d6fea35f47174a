"""The chat services' message shapes and signatures (pipelines/delivery/payloads.py, issue 21), each checked against the
algorithm as the service documents it, computed here independently, and the size limits held."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse

import pytest

from pipelines.delivery import payloads

LINES = ["北极星日报 · 2026年11月 · 截至 2026-11-24 周二（第 24 / 30 天）",
    "本月：新增会员 178 / 242 ▲ 有风险（节奏 92%）"]


def test_dingtalk_signs_the_url_as_documented():
    secret, ts = "SEC0123456789abcdef", 1764000000000
    url = payloads.dingtalk_url("https://oapi.dingtalk.com/robot/send?access_token=T", secret, ts)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    expected = base64.b64encode(hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest())
    assert query["timestamp"] == [str(ts)] and query["access_token"] == ["T"]
    assert query["sign"] == [expected.decode()]                      # parse_qs undoes the URL encoding
    assert "%2B" in url or "%2F" in url or "%3D" in url              # … which the URL carries
    assert (payloads.dingtalk_url("https://x/robot/send?access_token=T", None, ts)
            == "https://x/robot/send?access_token=T")
    body = payloads.dingtalk_markdown("北极星日报", LINES)
    assert body == {"msgtype": "markdown", "markdown": {"title": "北极星日报", "text": "\n\n".join(LINES)}}


def test_feishu_signs_the_body_as_documented():
    secret, ts = "feishu-secret", 1764000000
    body = payloads.feishu_text(LINES, secret, ts)
    key = f"{ts}\n{secret}".encode()
    assert body["timestamp"] == str(ts)
    assert body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert body["msg_type"] == "text" and body["content"]["text"] == "\n".join(LINES)
    assert "sign" not in payloads.feishu_text(LINES, None, ts)


def test_wecom_markdown_stays_within_4096_bytes_and_says_where_the_rest_is():
    lines = [LINES[0]] + [f"第 {i} 行：" + "华东战区" * 30 for i in range(60)]
    body = payloads.wecom_markdown(lines, more="完整内容见总览")
    content = body["markdown"]["content"]
    assert len(content.encode("utf-8")) <= 4096 and content.startswith(LINES[0]) and content.endswith("完整内容见总览")
    assert payloads.wecom_markdown(LINES)["markdown"]["content"] == "\n".join(LINES)      # short: untouched


def test_wecom_image_is_base64_and_md5_of_the_raw_bytes_and_at_most_2_mb():
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 100
    body = payloads.wecom_image(png)
    assert base64.b64decode(body["image"]["base64"]) == png
    assert body["image"]["md5"] == hashlib.md5(png).hexdigest()
    json.dumps(body)
    with pytest.raises(ValueError, match="WeCom takes at most 2 MB"):
        payloads.wecom_image(b"x" * (2 * 1024 * 1024 + 1))


def test_plan_text_is_inert_in_the_services_markdown():
    """No link, tag, emphasis or heading survives, and no backslash shows (the robots' dialects do not document
    backslash escapes): the characters become their full-width twins; `://` is broken so nothing is auto-linked."""
    assert payloads.md_escape("[点我](http://evil) **粗** <font>\n# 标题 `x` a_b|c ~d~ \\") == \
        "［点我］(http:／／evil) ＊＊粗＊＊ ＜font＞ ＃ 标题 ｀x｀ a＿b｜c ～d～ ＼"
    assert payloads.md_escape("华北战区 · 郑明（华北一队）") == "华北战区 · 郑明（华北一队）"  # names read as they are
