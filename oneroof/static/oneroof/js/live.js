// Live screens: listen on websockets /ws/<kind>/<key>/ for {"event", "payload"} messages and
// fetch the screen's state again on each; while a socket is down, poll instead and reconnect
// with growing pauses. The server stays the one source of truth: events only say "look again".
(function () {
  "use strict";

  function subscribe(channels, options) {
    var refetch = options.refetch;
    var pollMs = options.pollMs || 4000;
    var refreshMs = options.refreshMs || 0; // a slow refresh even while the sockets are up
    var sockets = {};
    var pollTimer = null;
    var refreshTimer = null;
    var pending = null;

    // Several events arrive for one change (center, counter, line): fetch once for them.
    function schedule() {
      if (pending) { return; }
      pending = setTimeout(function () { pending = null; refetch(); }, 200);
    }

    function allOpen() {
      return channels.every(function (c) {
        var ws = sockets[c.join("/")];
        return ws && ws.readyState === WebSocket.OPEN;
      });
    }

    function updatePolling() {
      var live = allOpen();
      if (live && pollTimer) { clearInterval(pollTimer); pollTimer = null; }
      if (!live && !pollTimer) { pollTimer = setInterval(refetch, pollMs); }
      if (options.onStatus) { options.onStatus(live); }
    }

    function connect(kind, key, attempt) {
      var name = kind + "/" + key;
      var scheme = location.protocol === "https:" ? "wss://" : "ws://";
      var ws;
      try {
        ws = new WebSocket(scheme + location.host + "/ws/" + name + "/");
      } catch (e) {
        retry(kind, key, attempt, false);
        return;
      }
      sockets[name] = ws;
      var ping = null;
      ws.onopen = function () {
        attempt = 0;
        updatePolling();
        schedule(); // catch up on whatever happened while we were away
        ping = setInterval(function () {
          if (ws.readyState === WebSocket.OPEN) { ws.send(JSON.stringify({ type: "ping" })); }
        }, 25000);
      };
      ws.onmessage = function (message) {
        var data;
        try { data = JSON.parse(message.data); } catch (e) { return; }
        if (!data || !data.event) { return; }
        if (options.onEvent) { options.onEvent(data.event, data.payload || {}); }
        schedule();
      };
      ws.onclose = function (closed) {
        if (ping) { clearInterval(ping); }
        if (sockets[name] === ws) { delete sockets[name]; }
        updatePolling();
        retry(kind, key, attempt, closed.code === 4403);
      };
    }

    function retry(kind, key, attempt, refused) {
      var base = refused ? 60000 : 1000 * Math.pow(2, Math.min(attempt, 5));
      var delay = Math.min(base, 60000) + Math.floor(Math.random() * 500);
      setTimeout(function () { connect(kind, key, attempt + 1); }, delay);
    }

    channels.forEach(function (c) { connect(c[0], c[1], 0); });
    updatePolling();
    if (refreshMs) { refreshTimer = setInterval(refetch, refreshMs); }
    return {
      refetchSoon: schedule,
      stop: function () {
        if (pollTimer) { clearInterval(pollTimer); }
        if (refreshTimer) { clearInterval(refreshTimer); }
      }
    };
  }

  window.oneroofLive = { subscribe: subscribe };
})();
