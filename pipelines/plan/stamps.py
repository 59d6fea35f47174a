"""How the plan store's file writes a moment, a session token and a document (shared by its three parts)."""
from __future__ import annotations

import datetime as dt
import hashlib
import json


def now() -> str:
    """Now, in UTC, ISO 8601 to the second."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def token_hash(token: str) -> str:
    """sha256 of a browser's session token: the token itself is never kept."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
