from django.urls import re_path

from oneroof.realtime.consumers import LiveConsumer

websocket_urlpatterns = [
    re_path(r"^ws/(?P<kind>[a-z]+)/(?P<key>[A-Za-z0-9_-]+)/$", LiveConsumer.as_asgi()),
]
