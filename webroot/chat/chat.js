/*
 * The chat page (/chat/{bot_id}, and ?embed=1 inside the widget). Talks to the public chat API,
 * streams answers over server-sent events, keeps the session id in localStorage and restores
 * the history on reload. Once there is a session it listens on the visitor channel (channel.js):
 * agents' messages, the conversation's state (handoff.js draws them) and a bot answer still being
 * written after a reload. All user and model text is put in the DOM as text (see markdown.js).
 */
(function () {
  'use strict';

  var botId = decodeURIComponent(location.pathname.split('/')[2] || '');
  var params = new URLSearchParams(location.search);
  var embed = params.get('embed') === '1';
  var api = '/api/chat/' + encodeURIComponent(botId);
  var storeKey = 'parley:session:' + botId;
  var cursorKey = 'parley:events:' + botId;
  var md = window.ParleyMarkdown;

  var $ = function (id) { return document.getElementById(id); };
  var log = $('log');
  var input = $('input');
  var sendButton = $('send');
  var notice = $('notice');
  var starters = $('starters');

  var config = { name: 'Chat', widget: { citations: 'titles', starter_questions: [] }, max_message_chars: 4000 };
  var sessionId = null;
  var busy = false;
  var lastFailed = null;
  var parentOrigin = null;
  var channel = null;
  // the ids of the answers and agent messages on the page, and the answers the channel is writing
  var shown = {};
  var live = {};

  function storage() {
    try {
      return window.localStorage;
    } catch (e) {
      return null;
    }
  }

  function loadSession() {
    var s = storage();
    var id = s && s.getItem(storeKey);
    return id && /^[A-Za-z0-9_-]{8,64}$/.test(id) ? id : null;
  }

  function saveSession(id) {
    var changed = id !== sessionId;
    sessionId = id;
    var s = storage();
    if (s) {
      if (id) { s.setItem(storeKey, id); } else { s.removeItem(storeKey); }
    }
    if (changed && channel) {
      listen();
    }
  }

  /** Where the channel stopped for this session, and the state it last said: {session, after, state, assignee}. */
  function loadCursor() {
    var s = storage();
    try {
      var c = JSON.parse((s && s.getItem(cursorKey)) || 'null');
      return c && c.session === sessionId ? c : { session: sessionId, after: 0, state: 'bot', assignee: null };
    } catch (e) {
      return { session: sessionId, after: 0, state: 'bot', assignee: null };
    }
  }

  function saveCursor(state, assignee) {
    var s = storage();
    if (s && sessionId) {
      var c = loadCursor();
      c.after = channel ? channel.last() : c.after;
      if (state) {
        c.state = state;
        c.assignee = assignee || null;
      }
      s.setItem(cursorKey, JSON.stringify(c));
    }
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) {
      return crypto.randomUUID();
    }
    var a = new Uint8Array(16);
    crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }

  // ---- parent window (widget) --------------------------------------------------------------

  function toParent(message) {
    if (embed && parentOrigin && window.parent !== window) {
      window.parent.postMessage(Object.assign({ parley: true }, message), parentOrigin);
    }
  }

  var TOKEN = /^--parley-[a-z-]{1,40}$/;
  var TOKEN_VALUE = /^[#\w\s.,%()-]{1,100}$/;
  var hostTheme = {};

  /**
   * Sets the page's custom properties: the bot's colour, then the host page's theme tokens over it
   * (the host has the last word on its own site). Tokens of an earlier theme are removed first.
   */
  function paint() {
    var style = document.documentElement.style;
    for (var i = style.length - 1; i >= 0; i--) {
      if (style[i].indexOf('--parley-') === 0) {
        style.removeProperty(style[i]);
      }
    }
    if (/^#[0-9a-fA-F]{6}$/.test(config.widget.color || '')) {
      style.setProperty('--parley-color', config.widget.color);
    }
    Object.keys(hostTheme).forEach(function (name) {
      style.setProperty(name, hostTheme[name]);
    });
  }

  /** The host page's theme tokens and custom CSS (from the widget); each call replaces the last. */
  function applyTheme(theme, css) {
    hostTheme = {};
    if (theme && typeof theme === 'object') {
      Object.keys(theme).forEach(function (name) {
        var value = String(theme[name]);
        if (TOKEN.test(name) && TOKEN_VALUE.test(value) && !/url\s*\(/i.test(value)) {
          hostTheme[name] = value;
        }
      });
    }
    paint();
    if ('adoptedStyleSheets' in document) {
      var sheets = [];
      if (typeof css === 'string' && css && css.length <= 20000) {
        try {
          var sheet = new CSSStyleSheet();
          sheet.replaceSync(css.replace(/@import[^;]*;?/gi, ''));
          sheets.push(sheet);
        } catch (e) {
          // CSS the browser cannot parse is left out
        }
      }
      document.adoptedStyleSheets = sheets;
    }
  }

  window.addEventListener('message', function (event) {
    var data = event.data;
    if (!embed || event.source !== window.parent || !data || data.parley !== true) {
      return;
    }
    if (data.type === 'init' && (parentOrigin === null || parentOrigin === event.origin) && event.origin !== 'null') {
      var first = parentOrigin === null;
      parentOrigin = event.origin;
      applyTheme(data.theme, data.css);
      if (first) {
        toParent({ type: 'ready' });
      }
    } else if (event.origin === parentOrigin && data.type === 'focus') {
      input.focus();
    }
  });

  // ---- rendering ---------------------------------------------------------------------------

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  function bubble(role, text) {
    var row = document.createElement('div');
    row.className = 'msg ' + role;
    var body = document.createElement('div');
    body.className = 'bubble';
    var who = document.createElement('span');
    who.className = 'sr-only';
    who.textContent = role === 'user' ? 'You said: ' : (config.widget.title || config.name) + ' said: ';
    row.appendChild(who);
    if (role === 'assistant') {
      body.appendChild(md.render(text));
    } else {
      body.textContent = text;
    }
    row.appendChild(body);
    log.appendChild(row);
    scrollDown();
    return row;
  }

  /** Shows an answer as it streams in: md.stream() keeps the finished blocks and redraws only the open one. */
  function streamAnswer(row) {
    var view = md.stream();
    row.querySelector('.bubble').replaceChildren(view.element);
    return view;
  }

  function sourceTitle(s) {
    return s.title || s.name || s.document_name || s.document || s.url || 'Source';
  }

  /**
   * A tool the assistant is using: its label ("Looking up your order…") under the answer while the tool runs
   * (status started), removed when it is done or failed. Only the label is ever sent, never the tool's data.
   */
  function showTool(row, tool) {
    var line = row.querySelector('.tool-status');
    if (tool.status === 'started' && typeof tool.label === 'string') {
      if (!line) {
        line = document.createElement('div');
        line.className = 'tool-status';
        line.setAttribute('role', 'status');
        line.setAttribute('aria-live', 'polite');
        row.appendChild(line);
      }
      line.textContent = tool.label;
    } else if (line) {
      line.remove();
    }
  }

  /**
   * The answer's sources as the bot's widget.citations says: none; titles (each document once, no
   * text); snippets (each passage: its document, linked when the document came from a web page,
   * its heading and snippet).
   */
  function showSources(row, sources) {
    var mode = config.widget.citations || 'titles';
    if (mode === 'none' || !Array.isArray(sources)) {
      return;
    }
    var seen = {};
    var items = sources.filter(function (s) {
      if (!s || typeof s !== 'object') {
        return false;
      }
      var key = s.document_id || sourceTitle(s);
      if (mode === 'titles' && seen[key]) {
        return false;
      }
      seen[key] = true;
      return true;
    });
    if (!items.length) {
      return;
    }
    var box = document.createElement('div');
    box.className = 'sources sources-' + mode;
    var head = document.createElement('p');
    head.className = 'sources-head';
    head.textContent = 'Sources';
    box.appendChild(head);
    var list = document.createElement('ol');
    items.forEach(function (s) {
      var li = document.createElement('li');
      var href = mode === 'snippets' && typeof s.url === 'string' ? md.safeUrl(s.url) : null;
      var name = document.createTextNode(String(sourceTitle(s)));
      var title = href ? md.link(href, [name]) : document.createElement('span');
      if (!href) {
        title.appendChild(name);
      }
      title.className = 'source-title';
      li.appendChild(title);
      if (mode === 'snippets') {
        if (typeof s.heading === 'string' && s.heading) {
          var heading = document.createElement('span');
          heading.className = 'source-heading';
          heading.textContent = ' · ' + s.heading;
          li.appendChild(heading);
        }
        var snippet = s.snippet || s.text || s.content;
        if (typeof snippet === 'string') {
          var p = document.createElement('p');
          p.className = 'snippet';
          p.textContent = snippet.length > 300 ? snippet.slice(0, 300) + '…' : snippet;
          li.appendChild(p);
        }
      }
      list.appendChild(li);
    });
    box.appendChild(list);
    row.appendChild(box);
  }

  function showFeedback(row, messageId, current) {
    if (!messageId) {
      return;
    }
    var bar = document.createElement('div');
    bar.className = 'feedback';
    bar.setAttribute('role', 'group');
    bar.setAttribute('aria-label', 'Rate this answer');
    [['up', 'Helpful'], ['down', 'Not helpful']].forEach(function (f) {
      var b = document.createElement('button');
      b.type = 'button';
      b.className = 'rate rate-' + f[0];
      b.appendChild(thumb(f[0] === 'down'));
      b.title = f[1];
      b.setAttribute('aria-label', f[1]);
      b.setAttribute('aria-pressed', current === f[0] ? 'true' : 'false');
      b.addEventListener('click', function () { rate(bar, messageId, f[0]); });
      bar.appendChild(b);
    });
    row.appendChild(bar);
  }

  var SVG = 'http://www.w3.org/2000/svg';

  /** A thumb icon drawn in SVG, so it shows without an emoji font. */
  function thumb(down) {
    var svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('width', '16');
    svg.setAttribute('height', '16');
    svg.setAttribute('aria-hidden', 'true');
    var path = document.createElementNS(SVG, 'path');
    path.setAttribute('d', 'M2 10h4v11H2zM8 21h9.5a2 2 0 0 0 2-1.6l1.4-7A2 2 0 0 0 19 10h-5.5l.8-4.2A2 2 0 0 0 12.4 3L8 9.5z');
    path.setAttribute('fill', 'currentColor');
    if (down) {
      path.setAttribute('transform', 'rotate(180 12 12)');
    }
    svg.appendChild(path);
    return svg;
  }

  function rate(bar, messageId, rating) {
    fetch(api + '/messages/' + encodeURIComponent(messageId) + '/feedback', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ rating: rating })
    }).then(function (r) {
      if (!r.ok) {
        throw new Error('feedback ' + r.status);
      }
      bar.querySelectorAll('button').forEach(function (b) {
        b.setAttribute('aria-pressed', b.classList.contains('rate-' + rating) ? 'true' : 'false');
      });
      bar.dataset.rated = rating;
    }).catch(function () {
      showNotice('Your rating could not be saved. Please try again.', false);
    });
  }

  function greet() {
    if (config.widget.greeting) {
      var row = bubble('assistant', config.widget.greeting);
      row.classList.add('greeting');
    }
  }

  function showStarters(visible) {
    starters.replaceChildren();
    var qs = config.widget.starter_questions || [];
    if (!visible || !qs.length) {
      starters.hidden = true;
      return;
    }
    starters.hidden = false;
    qs.forEach(function (q) {
      var b = document.createElement('button');
      b.type = 'button';
      b.className = 'starter';
      b.textContent = q;
      b.addEventListener('click', function () { send(q); });
      starters.appendChild(b);
    });
  }

  function showNotice(text, canRetry) {
    $('notice-text').textContent = text;
    $('retry').hidden = !canRetry;
    notice.hidden = false;
  }

  function hideNotice() {
    notice.hidden = true;
  }

  function errorText(status, error, retryAfter) {
    if (status === 429) {
      return 'Too many messages right now.' + (retryAfter ? ' Please wait ' + retryAfter + ' s and retry.' : ' Please wait a moment and retry.');
    }
    if (status === 0) {
      return 'The assistant cannot be reached. Check your connection and retry.';
    }
    if (status >= 500) {
      return 'The assistant is unavailable right now. Please retry in a moment.';
    }
    return (error && error.message) || 'Your message could not be sent.';
  }

  // ---- chat --------------------------------------------------------------------------------

  function setBusy(on) {
    busy = on;
    sendButton.disabled = on;
    log.setAttribute('aria-busy', on ? 'true' : 'false');
  }

  function send(text) {
    text = String(text || '').trim();
    if (!text || busy) {
      return;
    }
    if (text.length > config.max_message_chars) {
      showNotice('Your message is too long (at most ' + config.max_message_chars + ' characters).', false);
      return;
    }
    hideNotice();
    showStarters(false);
    if (!sessionId) {
      saveSession(newId());
    }
    bubble('user', text);
    ask(text);
  }

  function ask(text) {
    setBusy(true);
    lastFailed = null;
    var row = bubble('assistant', '');
    row.classList.add('pending');
    var view = streamAnswer(row);
    var answer = '';
    var scheduled = false;
    var ended = false;
    var nextAt = 0;
    var failed = function (status, error, retryAfter) {
      row.remove();
      lastFailed = text;
      showNotice(errorText(status, error, retryAfter), status === 0 || status === 429 || status >= 500);
      setBusy(false);
    };
    // At most one redraw per frame, and the next one waits three times as long as the last took, so
    // redrawing a long open block never takes more than a quarter of the time while the answer streams.
    var draw = function () {
      scheduled = false;
      if (ended) {
        return;
      }
      var t0 = performance.now();
      view.update();
      scrollDown();
      var t1 = performance.now();
      nextAt = t1 + 3 * (t1 - t0);
    };
    var schedule = function () {
      if (scheduled) {
        return;
      }
      scheduled = true;
      var wait = nextAt - performance.now();
      if (wait > 0) {
        setTimeout(function () { requestAnimationFrame(draw); }, wait);
      } else {
        requestAnimationFrame(draw);
      }
    };
    var finish = function () {
      ended = true;
      view.finish();
      scrollDown();
    };
    // An answer that stopped part-way stays, marked incomplete; Retry asks the question again.
    var cutOff = function (why) {
      finish();
      row.classList.remove('pending');
      row.classList.add('incomplete');
      lastFailed = text;
      showNotice(why, true);
      setBusy(false);
    };
    // while a person is asked for or present the model is not called: the message is kept for them
    var held = function (data) {
      row.remove();
      setBusy(false);
      if (data.session_id) {
        saveSession(data.session_id);
      }
      people.setState(data.state, data.assignee_name);
      listen();
      input.focus();
    };
    var lost = function () {
      if (answer) {
        cutOff('The connection was lost before the answer was complete. Check your connection and retry.');
      } else {
        failed(0, null);
      }
    };
    fetch(api, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Accept': 'text/event-stream' },
      body: JSON.stringify({ message: text, session_id: sessionId })
    }).then(function (response) {
      var type = response.headers.get('Content-Type') || '';
      if (response.status === 202 && type.indexOf('text/event-stream') < 0) {
        return response.json().then(held, function () { held({}); });
      }
      if (!response.ok || type.indexOf('text/event-stream') < 0) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          failed(response.status, body && body.error, response.headers.get('Retry-After'));
        });
      }
      var reader = response.body.getReader();
      var decoder = new TextDecoder();
      var buffer = '';
      var searched = 0;
      var finished = false;
      var onEvent = function (name, data) {
        if (name === 'start' && data.session_id) {
          // this answer is drawn from this request: the channel's copy of it is not drawn again, even if cut off
          if (data.message_id) {
            shown[data.message_id] = true;
          }
          saveSession(data.session_id);
          listen();
        } else if (name === 'state') {
          finished = true;
          held(data);
        } else if (name === 'delta' && typeof data.text === 'string') {
          row.classList.remove('pending');
          answer += data.text;
          view.append(data.text);
          schedule();
        } else if (name === 'tool') {
          showTool(row, data);
          scrollDown();
        } else if (name === 'done') {
          finished = true;
          shown[data.message_id] = true;
          showTool(row, {});
          finish();
          row.classList.remove('pending');
          showSources(row, data.sources);
          showFeedback(row, data.message_id, null);
          toParent({ type: 'message', role: 'assistant', text: answer.slice(0, 500) });
          setBusy(false);
          input.focus();
        } else if (name === 'error') {
          finished = true;
          showTool(row, {});
          if (answer) {
            cutOff('The answer was cut off. Please retry in a moment.');
          } else {
            failed(data.status || 502, data, null);
          }
        }
      };
      var pump = function () {
        return reader.read().then(function (chunk) {
          if (chunk.done) {
            if (!finished) {
              lost();
            }
            return;
          }
          buffer += decoder.decode(chunk.value, { stream: true });
          // events end with a blank line; only the text after the last one read is searched again
          var parts = [];
          var start = 0;
          var end;
          while ((end = buffer.indexOf('\n\n', Math.max(start, searched))) >= 0) {
            parts.push(buffer.slice(start, end));
            start = end + 2;
          }
          buffer = buffer.slice(start);
          searched = Math.max(0, buffer.length - 1);
          parts.forEach(function (part) {
            var name = 'message';
            var data = '';
            part.split('\n').forEach(function (line) {
              if (line.indexOf('event:') === 0) {
                name = line.slice(6).trim();
              } else if (line.indexOf('data:') === 0) {
                data += line.slice(5).trim();
              }
            });
            try {
              onEvent(name, data ? JSON.parse(data) : {});
            } catch (e) {
              // a malformed event is skipped
            }
          });
          return pump();
        });
      };
      return pump();
    }).catch(function () {
      if (busy) {
        lost();
      }
    });
  }

  function restore() {
    if (!sessionId) {
      greet();
      showStarters(true);
      return Promise.resolve();
    }
    return fetch(api + '/session/' + encodeURIComponent(sessionId)).then(function (r) {
      if (!r.ok) {
        throw new Error('session ' + r.status);
      }
      return r.json();
    }).then(function (body) {
      greet();
      var messages = (body && body.messages) || [];
      messages.forEach(function (m) {
        shown[m.id] = true;
        if (m.role === 'user') {
          bubble('user', m.content || '');
        } else if (m.role === 'agent') {
          people.agentMessage(m);
        } else if (m.role === 'assistant') {
          var row = bubble('assistant', m.content || '');
          if (m.status === 'incomplete') {
            row.classList.add('incomplete');
          }
          showSources(row, m.sources);
          showFeedback(row, m.id, m.feedback);
        }
      });
      showStarters(messages.length === 0);
      var cursor = loadCursor();
      people.setState(body.state || cursor.state, body.assignee_name || cursor.assignee, true);
      listen();
    }).catch(function () {
      greet();
      showNotice('Your earlier messages could not be loaded.', false);
    });
  }

  // ---- the visitor channel -----------------------------------------------------------------

  /** Listens on this session's channel, from where it stopped (nothing to listen to without a session). */
  function listen() {
    if (channel && channel.session === sessionId) {
      return;
    }
    if (channel) {
      channel.close();
      channel = null;
    }
    if (!sessionId || !window.EventSource) {
      return;
    }
    var url = api + '/session/' + encodeURIComponent(sessionId) + '/events';
    channel = window.ParleyChannel.connect(url, loadCursor().after, { event: onChannel });
    channel.session = sessionId;
  }

  function onChannel(type, data, id) {
    if (type === 'message' && data.role === 'agent') {
      if (!shown[data.id]) {
        shown[data.id] = true;
        people.agentMessage(data);
        toParent({ type: 'message', role: 'assistant', text: String(data.text || '').slice(0, 500) });
      }
    } else if (type === 'state') {
      people.setState(data.state, data.assignee_name);
    } else if (type === 'delta' || type === 'answer_done') {
      continued(type, data);
    }
    if (id !== null) {
      saveCursor(null);
    }
  }

  /**
   * A bot answer written on the channel: one this page did not ask for in this load (the page was
   * reloaded mid-answer, or the answer was asked for in another tab). The page's own answer, streamed
   * in its request, is left alone. Each piece says at which offset of the answer it starts, so a piece
   * sent again after a reconnect adds only what the bubble does not have.
   */
  function continued(type, data) {
    var mid = data.message_id;
    if (!mid || shown[mid] || (busy && !live[mid])) {
      return;
    }
    var entry = live[mid];
    if (!entry) {
      var row = bubble('assistant', '');
      row.classList.add('pending');
      entry = live[mid] = { row: row, view: streamAnswer(row), length: 0 };
    }
    var offset = typeof data.offset === 'number' ? data.offset : entry.length;
    if (type === 'delta' && typeof data.text === 'string' && offset + data.text.length > entry.length) {
      var text = data.text.slice(Math.max(0, entry.length - offset));
      entry.length += text.length;
      entry.row.classList.remove('pending');
      entry.view.append(text);
      entry.view.update();
      scrollDown();
    } else if (type === 'answer_done') {
      entry.view.finish();
      entry.row.classList.remove('pending');
      delete live[mid];
      shown[mid] = true;
      showFeedback(entry.row, mid, null);
      scrollDown();
    }
  }

  function newConversation() {
    if (busy) {
      return;
    }
    saveSession(null);
    if (channel) {
      channel.close();
      channel = null;
    }
    shown = {};
    live = {};
    people.reset();
    log.replaceChildren();
    hideNotice();
    greet();
    showStarters(true);
    input.focus();
  }

  function applyConfig(c) {
    config = c;
    config.widget = config.widget || {};
    var title = config.widget.title || config.name || 'Chat';
    $('title').textContent = title;
    document.title = title;
    paint();
    var avatar = config.widget.avatar_url && md.safeUrl(config.widget.avatar_url);
    if (avatar && /^https?:/.test(avatar)) {
      $('avatar').src = avatar;
      $('avatar').hidden = false;
    }
    input.maxLength = config.max_message_chars || 4000;
    people.configure(config);
  }

  // ---- start -------------------------------------------------------------------------------

  var people = window.ParleyHandoff.create({
    api: api,
    log: log,
    ensureSession: function () {
      if (!sessionId) {
        saveSession(newId());
        showStarters(false);
      }
      listen();
      return sessionId;
    },
    scrollDown: scrollDown,
    notice: function (text) { showNotice(text, false); },
    changed: saveCursor
  });

  if (embed) {
    document.body.classList.add('embed');
    $('close').hidden = false;
    $('close').addEventListener('click', function () { toParent({ type: 'close' }); });
    document.addEventListener('keydown', function (e) {
      if (e.key === 'Escape') {
        toParent({ type: 'close' });
      }
    });
  }
  $('composer').addEventListener('submit', function (e) {
    e.preventDefault();
    var text = input.value;
    if (text.trim() && !busy) {
      input.value = '';
      send(text);
    }
  });
  input.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      $('composer').requestSubmit();
    }
  });
  $('retry').addEventListener('click', function () {
    if (lastFailed && !busy) {
      hideNotice();
      ask(lastFailed);
    }
  });
  $('new-chat').addEventListener('click', newConversation);

  sessionId = loadSession();
  fetch(api + '/config').then(function (r) {
    if (!r.ok) {
      throw new Error('config ' + r.status);
    }
    return r.json();
  }).then(function (c) {
    applyConfig(c);
    return restore();
  }).catch(function () {
    showNotice('This chat is not available right now.', false);
  }).then(function () {
    document.body.dataset.ready = 'true';
  });
})();
