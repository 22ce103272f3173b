"""The live websocket: pipeline progress (and later, streamed answers) pushed to open pages."""
from __future__ import annotations

import json
import queue

from flask import Flask, request
from flask_sock import Sock

from chronos.models.states import Role
from chronos.web import services
from chronos.web.identity import who

PING_EVERY_S = 20


def register(app: Flask) -> None:
    """Attach the /ws/live websocket to the app."""
    sock = Sock(app)

    @sock.route("/ws/live")
    def live(ws):
        """Stream this owner's video events until the page closes."""
        if who().role != Role.OWNER or not same_origin():
            ws.close(reason=1008, message="Sign in first.")
            return
        creator_id = who().creator_id
        bus = services().bus
        with bus.subscribe() as events:
            ws.send(json.dumps({"type": "hello"}))
            while ws.connected:
                try:
                    event = events.get(timeout=PING_EVERY_S)
                except queue.Empty:
                    ws.send(json.dumps({"type": "ping"}))  # also detects a closed socket
                    continue
                video = event.get("video")
                if video is not None and video.get("creator_id", creator_id) != creator_id:
                    continue
                if event.get("creator_id", creator_id) != creator_id:
                    continue  # another creator's analytics event
                ws.send(json.dumps(event))


def same_origin() -> bool:
    """Browsers send Origin on websocket upgrades; refuse pages from other sites (CSWSH)."""
    origin = request.headers.get("Origin")
    if not origin:
        return True  # not a browser (a script with a token or a test client)
    return origin.split("://", 1)[-1] == request.host
