/**
 * The inspector's page: one HTML document, one stylesheet and one script, served as they are
 * (no build step, no framework). The script reads the exchanges from `api/stream`
 * (Server-Sent Events) and writes them into the page with `textContent` only — nothing a
 * request carries is ever parsed as HTML.
 *
 * @module
 */

/** The page, `GET <mount>/`. */
export const INSPECTOR_HTML = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>callcontrol inspector</title>
<link rel="stylesheet" href="inspector.css">
</head>
<body>
<header class="bar">
  <h1>callcontrol <span>inspector</span></h1>
  <input id="filter" type="search" placeholder="Filter: call id, event, provider, outcome" aria-label="Filter">
  <span id="status" class="status" data-state="connecting">connecting…</span>
</header>
<main>
  <p class="hint" id="empty">No requests yet. Every request your callcontrol apps receive shows up here as it happens, grouped by call id.</p>
  <div class="head" aria-hidden="true">
    <span>time</span><span>provider</span><span>event</span><span>call id</span><span>outcome</span><span class="num">latency</span>
  </div>
  <div id="calls"></div>
</main>
<script src="inspector.js" defer></script>
</body>
</html>
`;

/** The stylesheet, `GET <mount>/inspector.css`: a grid that folds into two lines on a phone. */
export const INSPECTOR_CSS = String.raw`:root {
  --bg: #f7f7f5; --fg: #1d1d1b; --muted: #6b6b66; --line: #dcdcd6; --card: #fff;
  --ok: #1f7a3a; --warn: #9a6700; --bad: #b42318; --dup: #4b5bb0; --accent: #0b5cad;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
}
@media (prefers-color-scheme: dark) {
  :root { --bg: #161614; --fg: #ecece6; --muted: #a3a39b; --line: #34342f; --card: #1f1f1c;
    --ok: #5cc27a; --warn: #e0b44a; --bad: #ff7b6e; --dup: #98a6f0; --accent: #6fb0f5; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); }
.bar { display: flex; flex-wrap: wrap; gap: .5rem 1rem;
  align-items: center; padding: .6rem 1rem; background: var(--card); border-bottom: 1px solid var(--line); }
.bar h1 { margin: 0; font-size: 1.05rem; }
.bar h1 span { color: var(--muted); font-weight: 400; }
#filter { flex: 1 1 14rem; min-width: 0; padding: .35rem .5rem; font: inherit; color: inherit;
  background: var(--bg); border: 1px solid var(--line); border-radius: 6px; }
.status { font-size: .85rem; color: var(--muted); }
.status::before { content: ""; display: inline-block; width: .6rem; height: .6rem; margin-right: .35rem;
  border-radius: 50%; background: var(--warn); vertical-align: baseline; }
.status[data-state="live"]::before { background: var(--ok); }
.status[data-state="down"]::before { background: var(--bad); }
main { padding: .75rem 1rem 3rem; max-width: 80rem; margin: 0 auto; }
.hint { color: var(--muted); }
.head, .row { display: grid; gap: .25rem .75rem; align-items: baseline;
  grid-template-columns: 6.5rem 6.5rem minmax(8rem, 1.2fr) minmax(8rem, 1.5fr) 6.5rem 4.5rem; }
.head { padding: 0 .75rem .25rem; font-size: .75rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.call { margin: 0 0 .75rem; background: var(--card); border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
.call > h2 { margin: 0; padding: .45rem .75rem; font-size: .85rem; font-weight: 600; display: flex;
  flex-wrap: wrap; gap: .25rem .75rem; border-bottom: 1px solid var(--line); }
.call > h2 .id { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; word-break: break-all; }
.call > h2 .meta { color: var(--muted); font-weight: 400; }
.row { width: 100%; padding: .4rem .75rem; border: 0; border-top: 1px solid var(--line); background: none;
  color: inherit; font: inherit; text-align: left; cursor: pointer; }
.call > h2 + .entry .row { border-top: 0; }
.row:hover, .row:focus-visible { background: color-mix(in srgb, var(--accent) 8%, transparent); outline: none; }
.row .cid { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85em;
  overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.row .ev { font-weight: 600; overflow-wrap: anywhere; }
.tag { display: inline-block; padding: 0 .4rem; border-radius: 4px; font-size: .8rem; font-weight: 600; }
.o-handled { color: var(--ok); } .o-fallback { color: var(--warn); }
.o-refused { color: var(--bad); } .o-duplicate { color: var(--dup); }
.replayed { color: var(--accent); font-size: .8rem; font-weight: 400; }
.detail { padding: .25rem .75rem .9rem; border-top: 1px dashed var(--line); }
.detail h3 { margin: .8rem 0 .3rem; font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.detail pre { margin: 0; padding: .5rem .6rem; max-height: 22rem; overflow: auto; background: var(--bg);
  border: 1px solid var(--line); border-radius: 6px; font: 12.5px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  white-space: pre-wrap; overflow-wrap: anywhere; }
.facts { display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; margin: .5rem 0 0; }
.facts b { font-weight: 600; }
.findings { margin: .3rem 0 0; padding-left: 1.2rem; }
.findings .error { color: var(--bad); } .findings .warning { color: var(--warn); }
.findings .spec { color: var(--muted); font-size: .85em; }
.valid { color: var(--ok); }
.actions { margin-top: .9rem; display: flex; gap: .5rem; flex-wrap: wrap; align-items: center; }
.actions button { font: inherit; padding: .35rem .9rem; border-radius: 6px; border: 1px solid var(--accent);
  background: var(--accent); color: #fff; cursor: pointer; }
.actions button.plain { background: none; color: var(--accent); }
.actions button:disabled { opacity: .6; cursor: progress; }
.actions .note { color: var(--muted); font-size: .85rem; }
@media (max-width: 640px) {
  main { padding: .5rem .5rem 3rem; }
  .head { display: none; }
  .row { grid-template-columns: 1fr auto; grid-template-areas: "ev out" "cid lat" "time prov"; }
  .row .time { grid-area: time; color: var(--muted); font-size: .85em; }
  .row .prov { grid-area: prov; color: var(--muted); font-size: .85em; text-align: right; }
  .row .ev { grid-area: ev; } .row .out { grid-area: out; text-align: right; }
  .row .cid { grid-area: cid; } .row .lat { grid-area: lat; }
}
`;

/**
 * The script, `GET <mount>/inspector.js`: keeps the exchanges by id, groups them per call id
 * (newest call first, each call's requests in arrival order), opens a request's details, and
 * posts replays.
 */
export const INSPECTOR_JS = String.raw`'use strict';
(function () {
  var entries = new Map();
  var calls = new Map();
  var open = new Set();
  var notes = new Map();
  var filterText = '';
  var callsEl = document.getElementById('calls');
  var statusEl = document.getElementById('status');
  var emptyEl = document.getElementById('empty');
  var filterEl = document.getElementById('filter');

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function time(iso) {
    var d = new Date(iso);
    function two(n) { return (n < 10 ? '0' : '') + n; }
    var ms = String(d.getMilliseconds()); while (ms.length < 3) ms = '0' + ms;
    return two(d.getHours()) + ':' + two(d.getMinutes()) + ':' + two(d.getSeconds()) + '.' + ms;
  }
  function groupKey(entry) {
    return entry.callId ? entry.provider + ' ' + entry.callId : 'none ' + entry.id;
  }
  function pre(text) { return el('pre', '', text); }
  function headerLines(headers) {
    return Object.keys(headers).map(function (name) { return name + ': ' + headers[name]; }).join('\n');
  }
  function matches(entry) {
    if (!filterText) return true;
    var hay = [entry.callId, entry.event, entry.provider, entry.app, entry.outcome, entry.code]
      .join(' ').toLowerCase();
    return hay.indexOf(filterText) !== -1;
  }

  function detail(entry) {
    var box = el('div', 'detail');
    box.setAttribute('data-detail', entry.id);
    var facts = el('p', 'facts');
    function fact(label, value) {
      if (value === undefined || value === null || value === '') return;
      var span = el('span'); span.appendChild(el('b', '', label + ' ')); span.appendChild(document.createTextNode(String(value)));
      facts.appendChild(span);
    }
    fact('#', entry.id);
    fact('app', entry.app);
    fact('received', entry.receivedAt);
    fact('status', entry.reply.status);
    fact('outcome', entry.outcome);
    fact('error code', entry.code);
    fact('latency', entry.latencyMs + ' ms');
    if (entry.replayOf) fact('replay of #', entry.replayOf);
    box.appendChild(facts);

    box.appendChild(el('h3', '', 'Answer'));
    var answer = pre('HTTP ' + entry.reply.status + '\n' + headerLines(entry.reply.headers) + '\n\n' + entry.reply.body);
    answer.setAttribute('data-answer', entry.id);
    box.appendChild(answer);
    if (entry.findings) {
      box.appendChild(el('h3', '', 'Validator'));
      if (entry.findings.problems.length === 0) {
        box.appendChild(el('p', 'valid', 'The answer follows the ' + entry.provider + ' spec: no findings.'));
      } else {
        var list = el('ul', 'findings');
        entry.findings.problems.forEach(function (problem) {
          var item = el('li', problem.severity);
          item.appendChild(el('b', '', problem.severity + ' ' + problem.code + ' '));
          item.appendChild(document.createTextNode(problem.path + ': ' + problem.message + ' '));
          item.appendChild(el('span', 'spec', problem.spec));
          list.appendChild(item);
        });
        box.appendChild(list);
      }
    }
    if (entry.typedEvent) {
      box.appendChild(el('h3', '', 'Typed event'));
      box.appendChild(pre(JSON.stringify(entry.typedEvent, null, 2)));
    }
    box.appendChild(el('h3', '', 'Raw request'));
    var r = entry.request;
    box.appendChild(pre(r.method + ' ' + r.path + (r.query ? '?' + r.query : '') + '\n' +
      headerLines(r.headers) + '\n\n' + (r.bodyEncoding === 'base64' ? '(base64) ' : '') + r.body));

    var actions = el('div', 'actions');
    var replay = el('button', '', 'Replay');
    replay.type = 'button';
    replay.setAttribute('data-replay', entry.id);
    replay.title = 'Send this request through its app again; the handler runs again';
    var retry = el('button', 'plain', 'Send as retry');
    retry.type = 'button';
    retry.title = 'Send it again as a provider retry: duplicate detection answers with the stored reply';
    var note = el('span', 'note', notes.get(entry.id) || '');
    note.setAttribute('aria-live', 'polite');
    function say(text) {
      notes.set(entry.id, text);
      renderCall(groupKey(entry));
    }
    function send(asRetry, button) {
      button.disabled = true; note.textContent = 'sending…';
      fetch('api/replay/' + encodeURIComponent(entry.id) + (asRetry ? '?asRetry=1' : ''), {
        method: 'POST', headers: { 'x-callcontrol-inspector': '1' }, credentials: 'same-origin'
      }).then(function (res) {
        return res.json().then(function (body) {
          if (!res.ok || !body.entry) throw new Error(body.message || ('HTTP ' + res.status));
          add(body.entry);
          say('replayed as #' + body.entry.id + ' (' + body.entry.outcome + ')');
        });
      }).catch(function (error) {
        say('replay failed: ' + error.message);
      });
    }
    replay.addEventListener('click', function () { send(false, replay); });
    retry.addEventListener('click', function () { send(true, retry); });
    actions.appendChild(replay); actions.appendChild(retry); actions.appendChild(note);
    box.appendChild(actions);
    return box;
  }

  function row(entry) {
    var wrap = el('div', 'entry');
    wrap.setAttribute('data-id', entry.id);
    var button = el('button', 'row');
    button.type = 'button';
    button.setAttribute('aria-expanded', open.has(entry.id) ? 'true' : 'false');
    button.appendChild(el('span', 'time', time(entry.receivedAt)));
    var prov = el('span', 'prov', entry.provider);
    prov.title = 'app ' + entry.app;
    button.appendChild(prov);
    var ev = el('span', 'ev', entry.event || (entry.request.method + ' ' + entry.request.path));
    if (entry.replayOf) ev.appendChild(el('span', 'replayed', ' ↻ replay of #' + entry.replayOf));
    button.appendChild(ev);
    button.appendChild(el('span', 'cid', entry.callId || '—'));
    var out = el('span', 'out');
    var tag = el('span', 'tag o-' + entry.outcome, entry.outcome);
    tag.setAttribute('data-outcome', entry.outcome);
    out.appendChild(tag);
    if (entry.code) { out.appendChild(document.createTextNode(' ')); out.appendChild(el('small', '', entry.code)); }
    button.appendChild(out);
    button.appendChild(el('span', 'lat num', entry.latencyMs + ' ms'));
    button.addEventListener('click', function () {
      if (open.has(entry.id)) open.delete(entry.id); else open.add(entry.id);
      renderCall(groupKey(entry));
    });
    wrap.appendChild(button);
    if (open.has(entry.id)) wrap.appendChild(detail(entry));
    return wrap;
  }

  function renderCall(key) {
    var call = calls.get(key);
    if (!call) return;
    var section = call.el;
    while (section.firstChild) section.removeChild(section.firstChild);
    var shown = call.ids.map(function (id) { return entries.get(id); }).filter(matches);
    section.hidden = shown.length === 0;
    var first = entries.get(call.ids[0]);
    var title = el('h2');
    title.appendChild(el('span', '', first.callId ? 'Call' : 'Request'));
    title.appendChild(el('span', 'id', first.callId || '#' + first.id));
    var outcomes = shown.map(function (e) { return e.outcome; });
    title.appendChild(el('span', 'meta', first.provider + ' · ' + shown.length + ' request' +
      (shown.length === 1 ? '' : 's') + ' · from ' + time(first.receivedAt) +
      (outcomes.indexOf('refused') !== -1 ? ' · refused requests' : '') +
      (outcomes.indexOf('fallback') !== -1 ? ' · fallback sent' : '')));
    section.appendChild(title);
    shown.forEach(function (entry) { section.appendChild(row(entry)); });
  }

  function add(entry) {
    if (entries.has(entry.id)) return;
    entries.set(entry.id, entry);
    var key = groupKey(entry);
    var call = calls.get(key);
    if (!call) {
      var section = el('section', 'call');
      section.setAttribute('data-call-id', entry.callId || '');
      call = { ids: [], el: section };
      calls.set(key, call);
    }
    call.ids.push(entry.id);
    call.ids.sort(function (a, b) { return Number(a) - Number(b); });
    // The call with the newest request first.
    callsEl.insertBefore(call.el, callsEl.firstChild);
    renderCall(key);
    emptyEl.hidden = true;
  }

  filterEl.addEventListener('input', function () {
    filterText = filterEl.value.trim().toLowerCase();
    calls.forEach(function (call, key) { renderCall(key); });
  });

  function connect() {
    var source = new EventSource('api/stream');
    source.addEventListener('open', function () {
      statusEl.textContent = 'live'; statusEl.setAttribute('data-state', 'live');
    });
    source.addEventListener('error', function () {
      statusEl.textContent = 'reconnecting…'; statusEl.setAttribute('data-state', 'down');
    });
    source.addEventListener('exchange', function (message) {
      try { add(JSON.parse(message.data)); } catch (error) { /* a frame that is no entry */ }
    });
  }
  connect();
})();
`;
