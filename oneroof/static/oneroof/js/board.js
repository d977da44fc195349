// The display board: shows the latest calls and the waiting per line, and announces each new
// call (or call again) with a chime, then in Arabic, then in English. Announcements wait in
// a queue and play one at a time, so a second call never cuts off the first. Each language
// is spoken with the device's own voice when it has one, else with the clips the server
// serves (generated offline or recorded). Browsers allow sound only after a key press or a
// click, unless the TV's browser is started with autoplay allowed; Enter or Space starts it.
(function () {
  "use strict";
  var configNode = document.getElementById("board-config");
  if (!configNode) { return; }
  var config = JSON.parse(configNode.textContent);
  var lang = document.documentElement.lang || "ar";
  var STALE_MS = 120000; // after this an announcement that could not play is dropped
  var SPEECH_TIMEOUT_MS = 20000;

  var board = {
    announced: [], // texts of every announcement, in order, as queued
    spoken: [], // texts actually played, with how: [text, "voice" | "clips"]
    queue: [], // announcements waiting to be played
    soundOn: false,
    voices: {}
  };
  window.oneroofBoard = board;

  // --- the screen ----------------------------------------------------------------------------
  var nowBox = document.querySelector("[data-now]");
  var nowNumber = document.querySelector("[data-now-number]");
  var nowCounter = document.querySelector("[data-now-counter]");
  var recent = document.querySelector("[data-recent]");
  var linesList = document.querySelector("[data-lines]");
  var clock = document.querySelector("[data-clock]");
  var offline = document.querySelector("[data-offline]");
  var gate = document.querySelector("[data-sound-gate]");
  var shownKey = null;

  function cell(tag, text, className) {
    var node = document.createElement(tag);
    node.textContent = text;
    if (className) { node.className = className; }
    return node;
  }

  function callKey(call) { return call.ticket + "|" + call.called_at; }

  function render(state) {
    var calls = state.calls || [];
    var latest = calls[0];
    nowNumber.textContent = latest ? latest.number : "—";
    nowCounter.textContent = latest ? String(latest.counter) : "—";
    nowBox.classList.toggle("empty", !latest);
    var key = latest ? callKey(latest) + "|" + latest.recall : null;
    if (key && key !== shownKey && shownKey !== null) {
      nowBox.classList.remove("flash");
      void nowBox.offsetWidth; // restart the animation
      nowBox.classList.add("flash");
    }
    shownKey = key || "";
    var rows = calls.slice(1).map(function (call) {
      var row = document.createElement("tr");
      row.appendChild(cell("td", call.number));
      row.appendChild(cell("td", String(call.counter)));
      return row;
    });
    recent.replaceChildren.apply(recent, rows);
    var items = (state.lines || []).map(function (line) {
      var item = document.createElement("li");
      item.appendChild(cell("span", line.prefix, "line-prefix"));
      var name = lang === "ar" ? line.name_ar : (line.name_en || line.name_ar);
      item.appendChild(cell("span", name, "line-name"));
      item.appendChild(cell("span", String(line.waiting), "line-waiting"));
      return item;
    });
    linesList.replaceChildren.apply(linesList, items);
  }

  // --- which calls are new -------------------------------------------------------------------
  var seen = {}; // call key → times called again, as last seen
  (config.state.calls || []).forEach(function (call) { seen[callKey(call)] = call.recall; });

  function apply(state) {
    var fresh = [];
    var now = {};
    (state.calls || []).slice().reverse().forEach(function (call) { // oldest first
      var key = callKey(call);
      if (!(key in seen) || call.recall > seen[key]) { fresh.push(call); }
      now[key] = call.recall;
    });
    seen = now;
    render(state);
    fresh.forEach(enqueue);
  }

  var failures = 0;

  function refetch() {
    return fetch(config.stateUrl, { cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (state) {
        failures = 0;
        if (offline) { offline.hidden = true; }
        apply(state);
      })
      .catch(function () { // polled again shortly; say so if it keeps failing
        failures += 1;
        if (offline && failures >= 2) { offline.hidden = false; }
      });
  }

  // --- sound ---------------------------------------------------------------------------------
  var AudioCtx = window.AudioContext || window.webkitAudioContext;
  var audio = AudioCtx ? new AudioCtx() : null;
  var buffers = {};
  var playing = false;

  function voiceFor(code) {
    if (!window.speechSynthesis) { return null; }
    var voices = window.speechSynthesis.getVoices() || [];
    var found = null;
    voices.forEach(function (v) {
      var l = (v.lang || "").toLowerCase();
      if (!found && (l === code || l.indexOf(code + "-") === 0 || l.indexOf(code + "_") === 0)) {
        found = v;
      }
    });
    return found;
  }

  function noteVoices() {
    config.langs.forEach(function (code) { board.voices[code] = !!voiceFor(code); });
  }
  if (window.speechSynthesis) {
    noteVoices();
    window.speechSynthesis.addEventListener("voiceschanged", noteVoices);
  }

  function clipUrl(code, key) {
    return config.clipUrl.replace("LANG", code).replace("KEY", key);
  }

  function load(url) {
    if (!buffers[url]) {
      buffers[url] = fetch(url)
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.arrayBuffer(); })
        .then(function (data) {
          return new Promise(function (resolve, reject) {
            audio.decodeAudioData(data, resolve, reject);
          });
        })
        .catch(function () { delete buffers[url]; return null; });
    }
    return buffers[url];
  }

  // Play buffers back to back; resolves when the last one has finished.
  function playBuffers(list) {
    var parts = list.filter(function (b) { return b; });
    if (!audio || !parts.length) { return Promise.resolve(); }
    var at = audio.currentTime + 0.05;
    parts.forEach(function (buffer) {
      var source = audio.createBufferSource();
      source.buffer = buffer;
      source.connect(audio.destination);
      source.start(at);
      at += buffer.duration;
    });
    var ms = (at - audio.currentTime) * 1000 + 150;
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  function speak(text, voice) {
    return new Promise(function (resolve) {
      var done = false;
      function finish() { if (!done) { done = true; clearTimeout(timer); resolve(); } }
      var timer = setTimeout(finish, SPEECH_TIMEOUT_MS);
      var utterance = new SpeechSynthesisUtterance(text);
      utterance.voice = voice;
      utterance.lang = voice.lang;
      utterance.rate = 0.9;
      utterance.onend = finish;
      utterance.onerror = finish;
      window.speechSynthesis.speak(utterance);
    });
  }

  function sayIn(code, item) {
    var text = item.texts[code];
    var voice = voiceFor(code);
    if (voice) {
      board.spoken.push([text, "voice"]);
      return speak(text, voice);
    }
    if (config.clips[code] && audio) {
      board.spoken.push([text, "clips"]);
      return Promise.all(item.clips.map(function (key) { return load(clipUrl(code, key)); }))
        .then(playBuffers);
    }
    return Promise.resolve(); // no voice and no clips: the screen alone shows the call
  }

  function play(item) {
    var chain = audio ? load(config.chimeUrl).then(function (b) { return playBuffers([b]); })
      : Promise.resolve();
    config.langs.forEach(function (code) {
      chain = chain.then(function () { return sayIn(code, item); });
    });
    return chain;
  }

  function pump() {
    if (playing || !board.soundOn) { return; }
    var item = board.queue.shift();
    while (item && Date.now() - item.at > STALE_MS) { item = board.queue.shift(); }
    if (!item) { return; }
    playing = true;
    play(item).catch(function () { /* go on with the next one */ }).then(function () {
      playing = false;
      pump();
    });
  }

  function enqueue(call) {
    var item = { number: call.number, counter: call.counter, texts: call.texts,
      clips: call.clips, at: Date.now() };
    config.langs.forEach(function (code) { board.announced.push(call.texts[code]); });
    board.queue.push(item);
    pump();
  }

  function soundOn() {
    if (board.soundOn) { return; }
    board.soundOn = true;
    if (gate) { gate.hidden = true; }
    if (audio && audio.state !== "running") { audio.resume(); }
    if (window.speechSynthesis) { // unlock speech inside the key press or click
      window.speechSynthesis.speak(new SpeechSynthesisUtterance(""));
    }
    var root = document.documentElement;
    if (root.requestFullscreen && !document.fullscreenElement) {
      root.requestFullscreen().catch(function () { /* the browser may refuse */ });
    }
    pump();
  }

  if (audio && audio.state === "running") {
    board.soundOn = true; // the browser allows sound without a gesture (kiosk mode)
  } else if (gate) {
    gate.hidden = false;
    var start = gate.querySelector("[data-sound-start]");
    start.addEventListener("click", soundOn);
    start.focus();
  }
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" || event.key === " " || event.key === "Spacebar") {
      event.preventDefault();
      soundOn();
    }
  });

  // --- clock and live updates ----------------------------------------------------------------
  // The center's own time, whatever zone the screen's device is set to.
  var clockFormat = null;
  try {
    clockFormat = new Intl.DateTimeFormat("en-GB", {
      hour: "2-digit", minute: "2-digit", hourCycle: "h23",
      timeZone: clock.getAttribute("data-time-zone") || undefined
    });
  } catch (e) { clockFormat = null; }
  function tick() {
    var now = new Date();
    clock.textContent = clockFormat ? clockFormat.format(now) :
      String(now.getHours()).padStart(2, "0") + ":" + String(now.getMinutes()).padStart(2, "0");
  }
  setInterval(tick, 10000);
  tick();

  // --- the ticker: public notices for this center (closures, changed requirements) ----------
  var ticker = document.querySelector("[data-ticker]");
  function loadTicker() {
    if (!ticker) { return; }
    fetch(ticker.getAttribute("data-url"), { cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (notices) {
        var other = lang === "ar" ? "en" : "ar";
        var texts = notices.map(function (n) {
          var title = n["title_" + lang] || n.title_ar;
          var second = n["title_" + other];
          return second && second !== title ? title + " · " + second : title;
        });
        ticker.querySelector("[data-ticker-text]").textContent = texts.join("   •   ");
        ticker.hidden = !texts.length;
      })
      .catch(function () { /* keep what is shown */ });
  }
  loadTicker();
  setInterval(loadTicker, 300000);

  render(config.state);
  board.refetch = refetch;
  if (window.oneroofLive) {
    window.oneroofLive.subscribe([["board", String(config.centerId)]], {
      refetch: refetch,
      onEvent: function (event) {
        if (event === "notice.published" || event === "notice.withdrawn") { loadTicker(); }
      },
      pollMs: config.pollMs,
      // Poll even while the socket is up: a board must never miss a call, and an event
      // published by another process without a shared channel layer would not arrive.
      refreshMs: config.pollMs
    });
  } else {
    setInterval(refetch, config.pollMs);
  }
})();
