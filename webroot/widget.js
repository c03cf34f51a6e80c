/* Parley chat widget: <script src="https://host/widget.js" data-bot-id="…" async></script>
 * Adds a launcher (in a Shadow DOM, so no style leaks either way) and a panel holding the bot's
 * chat page in an iframe. One global: window.Parley {open, close, toggle, on, setTheme}.
 * Before loading, a page may set window.Parley = {theme: {"--parley-color": "#0a0"}, css: "…"};
 * later Parley.setTheme(theme, css?) replaces them (css left out: kept). See docs/widget.md. */
(function () {
  'use strict';
  var pre = window.Parley;
  if (pre && pre.version) { return; }
  var script = document.currentScript || document.querySelector('script[data-bot-id][src*="widget.js"]');
  if (!script) { return; }
  var botId = script.getAttribute('data-bot-id') || '';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(botId)) {
    console.warn('Parley: data-bot-id is missing or invalid');
    return;
  }
  var origin = new URL(script.src, location.href).origin;
  var api = origin + '/api/chat/' + encodeURIComponent(botId);
  var theme = pre && typeof pre.theme === 'object' ? pre.theme : null;
  var css = pre && typeof pre.css === 'string' ? pre.css : null;
  var look = { color: '#4f46e5', position: 'bottom-right', title: 'Chat', greeting: '' };
  var listeners = {};
  var isOpen = false;
  var unread = 0;
  var frame = null;
  var ready = false;

  var host = document.createElement('div');
  host.setAttribute('data-parley', '');
  var root = host.attachShadow({ mode: 'open' });
  var STYLE = ':host{all:initial}' +
    '*{box-sizing:border-box;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}' +
    '.l{position:fixed;bottom:20px;width:56px;height:56px;border-radius:50%;border:0;cursor:pointer;' +
    'background:var(--c);color:#fff;box-shadow:0 4px 14px rgba(0,0,0,.25);z-index:2147483000;display:flex;' +
    'align-items:center;justify-content:center;padding:0}' +
    '.l:focus-visible{outline:3px solid #f59e0b;outline-offset:3px}.l svg{width:26px;height:26px;fill:#fff}' +
    '.b{position:absolute;top:-4px;right:-4px;min-width:20px;height:20px;border-radius:10px;background:#dc2626;' +
    'color:#fff;font-size:12px;font-weight:700;line-height:20px;text-align:center;padding:0 5px}.b[hidden]{display:none}' +
    '.p{position:fixed;bottom:88px;width:380px;height:600px;max-height:calc(100vh - 108px);max-width:calc(100vw - 32px);' +
    'border-radius:14px;overflow:hidden;box-shadow:0 10px 40px rgba(0,0,0,.3);z-index:2147483000;background:#fff;display:none}' +
    '.p.o{display:block}.p iframe{width:100%;height:100%;border:0;display:block}' +
    '.r{right:20px}.lt{left:20px}' +
    '@media (max-width:480px){.p{inset:0;width:100%;height:100%;max-width:none;max-height:none;border-radius:0}' +
    '.p.o+.l{display:none}}';
  if ('adoptedStyleSheets' in root && window.CSSStyleSheet) {
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(STYLE);
      root.adoptedStyleSheets = [sheet];
    } catch (e) { addStyle(); }
  } else { addStyle(); }
  function addStyle() {
    var s = document.createElement('style');
    s.textContent = STYLE;
    root.appendChild(s);
  }

  var panel = document.createElement('div');
  panel.className = 'p r';
  panel.setAttribute('role', 'dialog');
  var launcher = document.createElement('button');
  launcher.type = 'button';
  launcher.className = 'l r';
  launcher.setAttribute('aria-expanded', 'false');
  var NS = 'http://www.w3.org/2000/svg';
  var icon = document.createElementNS(NS, 'svg');
  icon.setAttribute('viewBox', '0 0 24 24');
  icon.setAttribute('aria-hidden', 'true');
  var path = document.createElementNS(NS, 'path');
  path.setAttribute('d', 'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8l-5 4V5a2 2 0 0 1 1-2z');
  icon.appendChild(path);
  var badge = document.createElement('span');
  badge.className = 'b';
  badge.hidden = true;
  badge.setAttribute('aria-hidden', 'true');
  launcher.appendChild(icon);
  launcher.appendChild(badge);
  root.appendChild(panel);
  root.appendChild(launcher);

  function emit(name, data) {
    (listeners[name] || []).slice().forEach(function (fn) {
      try { fn(data); } catch (e) { console.error(e); }
    });
  }

  function setUnread(n) {
    unread = n;
    badge.hidden = n <= 0;
    badge.textContent = n > 9 ? '9+' : String(n);
    launcher.setAttribute('aria-label', 'Open chat: ' + look.title + (n > 0 ? ' (' + n + ' unread)' : ''));
  }

  function applyLook() {
    host.style.setProperty('--c', (theme && theme['--parley-color']) || look.color);
    var side = look.position === 'bottom-left' ? 'lt' : 'r';
    panel.className = 'p ' + side + (isOpen ? ' o' : '');
    launcher.className = 'l ' + side;
    panel.setAttribute('aria-label', look.title);
    setUnread(unread);
  }

  function post(message) {
    if (frame && frame.contentWindow) {
      message.parley = true;
      frame.contentWindow.postMessage(message, origin);
    }
  }

  function open() {
    if (!frame) {
      frame = document.createElement('iframe');
      frame.title = look.title;
      frame.src = api.replace('/api/chat/', '/chat/') + '?embed=1';
      frame.allow = 'clipboard-write';
      frame.referrerPolicy = 'no-referrer';
      frame.addEventListener('load', function () { post({ type: 'init', theme: theme, css: css }); });
      panel.appendChild(frame);
    }
    if (isOpen) { return; }
    isOpen = true;
    panel.classList.add('o');
    launcher.setAttribute('aria-expanded', 'true');
    setUnread(0);
    if (ready) { post({ type: 'focus' }); }
    emit('open');
  }

  function close() {
    if (!isOpen) { return; }
    isOpen = false;
    panel.classList.remove('o');
    launcher.setAttribute('aria-expanded', 'false');
    launcher.focus();
    emit('close');
  }

  window.addEventListener('message', function (event) {
    var d = event.data;
    if (event.origin !== origin || !frame || event.source !== frame.contentWindow || !d || d.parley !== true) {
      return;
    }
    if (d.type === 'ready') {
      ready = true;
      if (isOpen) { post({ type: 'focus' }); }
    } else if (d.type === 'close') {
      close();
    } else if (d.type === 'message') {
      if (!isOpen) { setUnread(unread + 1); }
      emit('message', { role: 'assistant', text: String(d.text || '') });
    }
  });
  launcher.addEventListener('click', function () { if (isOpen) { close(); } else { open(); } });

  window.Parley = {
    version: 1,
    open: open,
    close: close,
    toggle: function () { if (isOpen) { close(); } else { open(); } },
    isOpen: function () { return isOpen; },
    on: function (name, fn) {
      if (typeof fn === 'function') { (listeners[name] = listeners[name] || []).push(fn); }
      return window.Parley;
    },
    off: function (name, fn) {
      listeners[name] = (listeners[name] || []).filter(function (f) { return f !== fn; });
      return window.Parley;
    },
    setTheme: function (t, c) {
      theme = t || null;
      if (c !== undefined) { css = typeof c === 'string' ? c : null; }
      applyLook();
      post({ type: 'init', theme: theme, css: css });
    }
  };

  applyLook();
  fetch(api + '/config', { credentials: 'omit' }).then(function (r) {
    if (!r.ok) { throw new Error('HTTP ' + r.status); }
    return r.json();
  }).then(function (c) {
    var w = c.widget || {};
    if (/^#[0-9a-fA-F]{6}$/.test(w.color || '')) { look.color = w.color; }
    look.position = w.position === 'bottom-left' ? 'bottom-left' : 'bottom-right';
    look.title = String(w.title || c.name || 'Chat').slice(0, 100);
    look.greeting = w.greeting || '';
    if (frame) { frame.title = look.title; }
    applyLook();
    if (look.greeting && !isOpen && !frame) { setUnread(1); }
    (document.body || document.documentElement).appendChild(host);
    emit('ready');
  }).catch(function (e) {
    console.warn('Parley: the chat widget could not start (' + e.message + ')');
  });
})();
