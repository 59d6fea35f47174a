"""Readers at the protocol level, for benchmarks/load.py --protocol: each reader is one Streamlit session opened
over the app's websocket (`/_stcore/stream`) the way the browser opens it — the `streamlit` subprotocol, a
`rerun_script` BackMsg naming the page — timed until the server's `script_finished`. No browser draws anything,
so on a small machine the numbers are the server's own: what the issue's "p95 until drawn" would be if every
reader had their own computer (the browser's drawing, measured by the Chromium rows, comes on top).

The messages are Streamlit's own protobufs (streamlit.proto); the websocket client is the `websockets` package
Streamlit's server already depends on.
"""
from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

FINISHED = ForwardMsg.ScriptFinishedStatus


def _ws_url(url: str) -> str:
    parts = urlsplit(url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}/_stcore/stream"


def _tls(url: str):
    """For wss:// to this machine (benchmarks/cluster.py's nginx, a throwaway certificate): TLS without checking
    whose certificate it is; None for ws://."""
    if urlsplit(url).scheme != "https":
        return None
    import ssl

    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _rerun(page_name: str = "", page_hash: str = "", query: str = "") -> bytes:
    msg = BackMsg()
    msg.rerun_script.query_string = query
    msg.rerun_script.page_name = page_name
    msg.rerun_script.page_script_hash = page_hash
    return msg.SerializeToString()


async def _until_finished(ws, timeout: float) -> tuple[dict, int]:
    """Reads ForwardMsgs until the run finishes; returns the pages the navigation named and the deltas seen."""
    pages, deltas, done = {}, 0, False
    end = time.monotonic() + timeout
    while True:
        raw = await asyncio.wait_for(ws.recv(), max(0.1, end - time.monotonic()))
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        kind = msg.WhichOneof("type")
        if kind == "navigation":
            pages = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages}
        elif kind in ("delta", "ref_hash"):
            deltas += 1
            done = done or b"ns-done" in raw       # the page's last element: it ran to its end
        elif kind == "script_finished":
            if msg.script_finished == FINISHED.Value("FINISHED_EARLY_FOR_RERUN"):
                continue                     # the page asked for a rerun (e.g. to put the view in the URL)
            if msg.script_finished != FINISHED.Value("FINISHED_SUCCESSFULLY"):
                raise RuntimeError(f"the run ended with {FINISHED.Name(msg.script_finished)}")
            if not done:
                raise RuntimeError("the page stopped before its end (a message instead of the page)")
            return pages, deltas


async def reader(url: str, page: str = "", then: str | None = None, query: str = "", timeout: float = 120.0,
                 cpu=None) -> dict:
    """One session: open, run `page` (its url path; "" = the board), and optionally switch to `then`; seconds of
    each, and whether it failed. `cpu()`: the server's CPU seconds so far, read around the switch."""
    import websockets

    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    out = {"open": None, "switch": None, "switch_cpu": None, "error": None}
    try:
        start = time.perf_counter()
        async with websockets.connect(_ws_url(url), subprotocols=["streamlit"], origin=origin,
                                      max_size=None, open_timeout=timeout, ssl=_tls(url)) as ws:
            await ws.send(_rerun(page_name=page, query=query if page else ""))
            pages, _ = await _until_finished(ws, timeout)
            out["open"] = time.perf_counter() - start
            if then is not None:
                await asyncio.sleep(0.3)             # the server done with the first run's last messages
                before = cpu() if cpu else None
                start = time.perf_counter()
                await ws.send(_rerun(page_name=then, page_hash=pages.get(then, ""), query=query if then else ""))
                await _until_finished(ws, timeout)
                out["switch"] = time.perf_counter() - start
                if cpu:
                    out["switch_cpu"] = cpu() - before
    except Exception as exc:  # noqa: BLE001 - a benchmark counts failures, it does not stop at one
        out["error"] = f"{type(exc).__name__}: {exc}"
    return out


def readers_at_once(url: str, n: int, pages: tuple[str, ...] = ("", "war_zone"), then: str | None = None,
                    query: str = "") -> list[dict]:
    """`n` sessions opened together, alternating over `pages` (the board and a war-zone page by default)."""
    async def run():
        return await asyncio.gather(*(reader(url, pages[i % len(pages)], then, query) for i in range(n)))

    return asyncio.run(run())
