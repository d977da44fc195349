"""Websockets for live screens. A screen first fetches its state over HTTP, then applies
events from its group; if the socket drops it polls the same state URL.

Groups (dots, not colons): `board.<center id>` and `line.<line id>` and
`ticket.<public id>` are public (numbers only, or an unguessable id); `center.<id>` and
`counter.<id>` are for staff working at that center."""

from __future__ import annotations

import re

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

PUBLIC_KINDS = {"board", "line", "ticket"}
STAFF_KINDS = {"center", "counter"}
KEY = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


@database_sync_to_async
def _staff_may_watch(user, kind: str, key: str) -> bool:
    from oneroof.centers.models import Counter
    from oneroof.queueing.permissions import works_at

    if not key.isdigit() or not user.is_authenticated:
        return False
    if kind == "center":
        return works_at(user, int(key))
    counter = Counter.objects.filter(pk=int(key)).first()
    return counter is not None and works_at(user, counter.center_id)


class LiveConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        kwargs = self.scope["url_route"]["kwargs"]
        kind, key = kwargs["kind"], kwargs["key"]
        allowed = False
        if KEY.match(key):
            if kind in PUBLIC_KINDS:
                allowed = kind == "ticket" or key.isdigit()
            elif kind in STAFF_KINDS:
                allowed = await _staff_may_watch(self.scope.get("user"), kind, key)
        if not allowed:
            await self.close(code=4403)
            return
        self.group = f"{kind}.{key}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        group = getattr(self, "group", None)
        if group:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        if content == {"type": "ping"}:
            await self.send_json({"type": "pong"})

    async def domain_event(self, message: dict) -> None:
        await self.send_json({"event": message["event"], "payload": message["payload"]})
