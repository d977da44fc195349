"""Events leave after commit, all of a transaction together, and never after a rollback."""

import threading

import pytest
from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import connections, transaction

from oneroof.core import events

pytestmark = pytest.mark.django_db(transaction=True)


def test_events_wait_for_commit_and_leave_in_order():
    with events.capture_events() as seen:
        with transaction.atomic():
            events.publish("g.1", "a", {"n": 1})
            events.publish("g.2", "b", {"n": 2})
            assert seen == []
        assert seen == [("g.1", "a", {"n": 1}), ("g.2", "b", {"n": 2})]


def test_a_rolled_back_transaction_sends_nothing_and_the_next_one_still_sends():
    with events.capture_events() as seen:
        with pytest.raises(RuntimeError), transaction.atomic():
            events.publish("g.1", "lost", {})
            raise RuntimeError
        with transaction.atomic():
            events.publish("g.1", "kept", {})
        assert [kind for _, kind, _ in seen] == ["kept"]


def test_a_rolled_back_savepoint_drops_only_its_events():
    with events.capture_events() as seen:
        with transaction.atomic():
            events.publish("g", "outer-before", {})
            with pytest.raises(RuntimeError), transaction.atomic():
                events.publish("g", "inner", {})
                raise RuntimeError
            events.publish("g", "outer-after", {})
        kinds = [kind for _, kind, _ in seen]
        assert "inner" not in kinds
        assert kinds[-1] == "outer-after"


def test_outside_a_transaction_an_event_leaves_at_once():
    with events.capture_events() as seen:
        events.publish("g", "now", {})
        assert seen == [("g", "now", {})]


class CountingLayer(InMemoryChannelLayer):
    """The in-memory layer, counting the group sends it is asked for."""

    sends: list[str] = []

    async def group_send(self, group, message):
        CountingLayer.sends.append(group)
        await super().group_send(group, message)


def test_the_in_memory_layer_is_sent_only_events_a_member_here_listens_to(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": f"{__name__}.CountingLayer"}}
    CountingLayer.sends = []
    layer = get_channel_layer()
    assert isinstance(layer, CountingLayer)
    received = []

    def worker() -> None:  # as a server's worker thread, with no event loop of its own
        try:
            channel = async_to_sync(layer.new_channel)()
            async_to_sync(layer.group_add)("board.1", channel)
            events.publish("board.9", "nobody-watches", {})
            with transaction.atomic():
                events.publish("board.9", "nobody-watches", {})
                events.publish("board.1", "called", {"n": 1})
            received.append(async_to_sync(layer.receive)(channel))
        finally:
            connections.close_all()

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(10)
    assert [(m["event"], m["payload"]) for m in received] == [("called", {"n": 1})]
    assert CountingLayer.sends == ["board.1"]
