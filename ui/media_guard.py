"""Files that leave the app are served only to the browser that asked for them (issue 33.5).

Streamlit serves every download button's file at `/media/<id>.<ext>` to whoever has the address, for as long as the
session lives: an audit CSV fetched with no cookie at all came back byte for byte. This module ties each file to
the browser sign-in of the session(s) it was made for, and refuses (and audits) any other fetch:

- `install()` (once per server process) records, for every downloadable file Streamlit's media manager stores — a
  download button's data, or a deferred one's when clicked — the app session it was made for; and it wraps the
  server's `/media/…` route with `guard`.
- `note_session(...)` (every page run, from `ui.auth.gate`) records what identifies that session's browser: the
  hash of its sign-in cookie (`northstar_session` for a password sign-in, Streamlit's `_streamlit_user` for an
  identity provider's). With `auth: open` there is nobody to tell apart and nothing is restricted.
- `guard` serves a recorded file only to a request carrying one of its sessions' cookies; any other gets 403 and a
  line in the audit ("download_refused").

Nothing here changes what a page shows; a file Streamlit serves for display (none today) passes untouched.
"""
from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

COOKIES = ("northstar_session", "_streamlit_user")   # a password sign-in's cookie, an identity provider's

_lock = threading.Lock()
_owners: dict[str, set[str]] = {}                  # media file id → the app sessions it was made for
_keys: dict[str, tuple[str | None, bool, str]] = {}   # session id → (cookie hash, restricted, warehouse path)
_installed = False


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def file_id(url: str) -> str:
    """The media file id of a media URL or file name: '/media/ab12.csv' → 'ab12'."""
    return os.path.splitext(url.rsplit("/", 1)[-1].split("?", 1)[0])[0]


def record(url: str, session_id: str | None) -> None:
    """The file at `url` was made for the app session `session_id`."""
    if not session_id:
        return
    with _lock:
        _owners.setdefault(file_id(url), set()).add(session_id)


def note_session(session_id: str | None, cookie: str | None, restricted: bool, db: str) -> None:
    """What identifies this session's browser (the value of its sign-in cookie), whether its files are restricted
    to it (any sign-in but `auth: open`), and the warehouse whose plan store audits a refused fetch."""
    if not session_id:
        return
    with _lock:
        _keys[session_id] = (_hash(cookie) if cookie else None, restricted, str(db))


def allowed(fid: str, cookies: dict[str, str]) -> tuple[bool, str | None]:
    """Whether a request with these cookies may have the file `fid`; and, when not, the warehouse to audit in."""
    with _lock:
        sessions = set(_owners.get(fid, ()))
        keys = [_keys.get(s) for s in sessions]
    if not sessions:
        return True, None                     # not a download this module saw made: Streamlit decides
    presented = {_hash(v) for name, v in cookies.items() if name in COOKIES and v}
    db = None
    for key in keys:
        if key is None:
            continue
        cookie_hash, restricted, db = key
        if not restricted or (cookie_hash is not None and cookie_hash in presented):
            return True, None
    return False, db


def _audit_refused(db: str | None, fid: str, client: str) -> None:
    if not db:
        return
    try:
        from pipelines.plan.store import PlanStore, store_path

        with PlanStore(store_path(Path(db))) as store:
            store.runs.audit("anonymous", "download_refused", f"/media/{fid} from {client}"[:200])
    except Exception:  # noqa: BLE001 - a refusal never fails for want of an audit line
        pass


def guard(inner):
    """An ASGI app around Streamlit's media endpoint: a recorded download only to its own browser."""
    async def app(scope, receive, send):
        if scope.get("type") == "http":
            from starlette.requests import Request
            from starlette.responses import PlainTextResponse

            request = Request(scope)
            fid = file_id(str(scope.get("path_params", {}).get("file_id") or request.url.path))
            ok, db = allowed(fid, dict(request.cookies))
            if not ok:
                client = request.client.host if request.client else "?"
                _audit_refused(db, fid, client)
                response = PlainTextResponse(
                    "This file belongs to another signed-in session. Open it from Northstar (download it again "
                    "there). 这个文件属于另一个已登录的会话，请在 Northstar 里重新下载。", status_code=403)
                await response(scope, receive, send)
                return
        await inner(scope, receive, send)
    return app


def _patch_media_manager() -> None:
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    if getattr(MediaFileManager, "_northstar_guarded", False):
        return
    add, deferred = MediaFileManager.add, MediaFileManager.execute_deferred

    def add_and_record(self, path_or_data, mimetype, coordinates, file_name=None, is_for_static_download=False):
        url = add(self, path_or_data, mimetype, coordinates, file_name, is_for_static_download)
        if is_for_static_download:
            ctx = get_script_run_ctx()
            record(url, ctx.session_id if ctx is not None else None)
        return url

    def deferred_and_record(self, fid):
        with self._lock:
            entry = self._deferred_callables.get(fid)
        url = deferred(self, fid)
        if entry is not None:
            record(url, entry.get("session_id"))
        return url

    MediaFileManager.add = add_and_record
    MediaFileManager.execute_deferred = deferred_and_record
    MediaFileManager._northstar_guarded = True


def _patch_media_route() -> bool:
    """Wraps the running server's `/media/{file_id:path}` GET route (found among the live Starlette apps)."""
    import gc

    from starlette.applications import Starlette
    from starlette.routing import Route

    done = False
    for obj in gc.get_objects():
        if isinstance(obj, Starlette):
            for route in obj.router.routes:
                if isinstance(route, Route) and "media/{file_id" in route.path and "GET" in (route.methods or ()) \
                        and not getattr(route, "_northstar_guarded", False):
                    route.app = guard(route.app)
                    route._northstar_guarded = True
                    done = True
    return done


def install() -> None:
    """Once per server process (the first page run): record downloads, guard the media route. A run without a
    server (AppTest) only records."""
    global _installed
    if _installed:
        return
    with _lock:
        if _installed:
            return
        _patch_media_manager()
        _patch_media_route()
        _installed = True
