/*
 * Parley admin dashboard: a small single-page app over the admin API. Every string from the API
 * is put in the DOM as text (h() never parses HTML). The admin token lives in sessionStorage.
 */
(function () {
  'use strict';

  var TOKEN_KEY = 'parley.admin.token';
  var view = document.getElementById('view');
  var NS = 'http://www.w3.org/2000/svg';

  // ---- helpers -----------------------------------------------------------------------------

  function h(tag, attrs) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) { return; }
      if (k === 'on') {
        Object.keys(v).forEach(function (ev) { el.addEventListener(ev, v[ev]); });
      } else if (k === 'class') {
        el.className = v;
      } else if (k in el && typeof v !== 'string') {
        el[k] = v;
      } else {
        el.setAttribute(k, v === true ? '' : String(v));
      }
    });
    for (var i = 2; i < arguments.length; i++) { append(el, arguments[i]); }
    return el;
  }

  function append(el, child) {
    if (child === null || child === undefined || child === false) { return; }
    if (Array.isArray(child)) { child.forEach(function (c) { append(el, c); }); return; }
    el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }

  function svg(tag, attrs) {
    var el = document.createElementNS(NS, tag);
    Object.keys(attrs || {}).forEach(function (k) { el.setAttribute(k, String(attrs[k])); });
    return el;
  }

  function token() { return sessionStorage.getItem(TOKEN_KEY); }

  var toastTimer = 0;
  function toast(text) {
    var t = document.getElementById('toast');
    t.textContent = text;
    t.classList.add('show');
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { t.classList.remove('show'); }, 2500);
  }

  function ApiError(status, body) {
    var e = (body && body.error) || {};
    this.status = status;
    this.code = e.code || 'error';
    this.field = e.field || null;
    this.message = e.message || (status === 0 ? 'Parley cannot be reached. Check your connection.' : 'Request failed (HTTP ' + status + ')');
  }

  function api(method, path, body, quiet) {
    var init = { method: method, headers: { 'Authorization': 'Bearer ' + token(), 'Accept': 'application/json' } };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).catch(function () { throw new ApiError(0, null); }).then(function (r) {
      if (r.status === 204) { return null; }
      return r.json().catch(function () { return null; }).then(function (json) {
        if (!r.ok) {
          if (r.status === 401 && !quiet) {
            sessionStorage.removeItem(TOKEN_KEY);
            location.hash = '#/login';
          }
          throw new ApiError(r.status, json);
        }
        return json;
      });
    });
  }

  function errorBox() { return h('div', { class: 'error', role: 'alert', hidden: true }); }
  function showError(box, err) {
    box.textContent = err.message + (err.code && err.status ? ' (' + err.code + ')' : '');
    box.hidden = false;
  }

  function when(ms) { return ms ? new Date(ms).toLocaleString() : '—'; }

  function copyText(text, button) {
    var done = function () {
      var old = button.textContent;
      button.textContent = 'Copied';
      toast('Copied to the clipboard');
      setTimeout(function () { button.textContent = old; }, 2000);
    };
    var fallback = function () {
      var area = h('textarea', { class: 'offscreen', readonly: true });
      area.value = text;
      document.body.appendChild(area);
      area.select();
      try { document.execCommand('copy'); } catch (e) { /* the text stays selectable */ }
      area.remove();
      done();
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else {
      fallback();
    }
  }

  function render() {
    var parts = [].slice.call(arguments);
    view.replaceChildren();
    parts.forEach(function (p) { append(view, p); });
    view.focus({ preventScroll: true });
  }

  // ---- sign in -----------------------------------------------------------------------------

  function signIn() {
    var err = errorBox();
    var input = h('input', { type: 'password', id: 'token', name: 'token', autocomplete: 'current-password', required: true });
    var form = h('form', { class: 'card signin', on: { submit: function (e) {
      e.preventDefault();
      var value = input.value.trim();
      if (!value) { showError(err, { message: 'Enter the admin token.' }); return; }
      sessionStorage.setItem(TOKEN_KEY, value);
      api('GET', '/api/bots', undefined, true).then(function () {
        location.hash = '#/bots';
      }, function (e2) {
        sessionStorage.removeItem(TOKEN_KEY);
        showError(err, e2.status === 401 ? { message: 'That token is not valid.' } : e2);
      });
    } } },
      h('h1', null, 'Sign in'), err,
      h('label', null, 'Admin token', input,
        h('span', { class: 'hint' }, 'PARLEY_ADMIN_TOKEN, or the token printed at first start.')),
      h('div', { class: 'actions' }, h('button', { class: 'primary', type: 'submit' }, 'Sign in')));
    render(form);
    input.focus();
  }

  // ---- bots list ---------------------------------------------------------------------------

  function botList() {
    var err = errorBox();
    var body = h('tbody');
    render(h('section', { class: 'card' },
      h('div', { class: 'actions' }, h('h1', null, 'Bots'), h('a', { href: '#/bots/new', class: 'button' }, '+ New bot')),
      err,
      h('table', { id: 'bots' }, h('thead', null, h('tr', null, h('th', null, 'Name'), h('th', null, 'Provider / model'),
        h('th', null, 'Allowed origins'), h('th', null, 'Created'), h('th', null, ''))), body)));
    api('GET', '/api/bots').then(function (res) {
      var bots = res.bots || [];
      if (!bots.length) {
        body.appendChild(h('tr', null, h('td', { colspan: 5, class: 'muted' }, 'No bots yet. Create one to get a chat page and a widget.')));
      }
      bots.forEach(function (b) {
        body.appendChild(h('tr', { 'data-bot-id': b.id },
          h('td', null, h('a', { href: '#/bots/' + encodeURIComponent(b.id), class: 'bot-name' }, b.name), providerBadge(b)),
          h('td', null, b.provider + ' / ' + b.model),
          h('td', null, (b.allowed_origins || []).length ? b.allowed_origins.join(', ') : 'any site'),
          h('td', null, when(b.created_at)),
          h('td', null, h('button', { type: 'button', class: 'danger', on: { click: function () { removeBot(b, err); } } }, 'Delete'))));
      });
    }, function (e) { showError(err, e); });
  }

  var PROVIDER_STATUS = {
    provider_quota_exhausted: 'Quota exhausted',
    provider_key_invalid: 'API key invalid',
    provider_tls_error: 'TLS error'
  };

  /** A warning badge when the bot's provider has a problem only the operator can fix (null otherwise). */
  function providerBadge(bot) {
    var s = bot.provider_status;
    if (!s) { return null; }
    return [' ', h('span', { class: 'badge badge-failed provider-status', title: (s.message || '') + ' (since ' + when(s.at) + ')' },
      PROVIDER_STATUS[s.code] || String(s.code))];
  }

  function removeBot(bot, err) {
    if (!confirm('Delete "' + bot.name + '" with all its conversations and documents?')) { return; }
    api('DELETE', '/api/bots/' + encodeURIComponent(bot.id)).then(function () {
      toast('Bot deleted');
      if (location.hash === '#/bots') { botList(); } else { location.hash = '#/bots'; }
    }, function (e) { showError(err, e); });
  }

  // ---- bot settings form -------------------------------------------------------------------

  // [path, label, kind, options]
  var FIELDS = [
    ['name', 'Name', 'text', { required: true, max: 100 }],
    ['provider', 'Provider', 'provider', {}],
    ['model', 'Model', 'text', { max: 200, hint: 'Empty: the provider default' }],
    ['base_url', 'Base URL', 'url', { hint: 'OpenAI-style includes /v1; empty: the provider default' }],
    ['api_key', 'API key', 'key', {}],
    ['prompt', 'System prompt', 'textarea', { max: 20000, wide: true }],
    ['temperature', 'Temperature', 'number', { min: 0, max: 2, step: 0.1, nullable: true }],
    ['max_tokens', 'Max tokens', 'int', { min: 1, max: 200000, nullable: true }],
    ['history_limit', 'Memory (messages kept)', 'int', { min: 0, max: 200 }],
    ['max_message_chars', 'Max message length', 'int', { min: 1, max: 100000 }],
    ['fallback_text', 'Answer when nothing is found (extractive provider)', 'textarea', { max: 2000 }],
    ['rag.enabled', 'Use the knowledge base', 'bool', {}],
    ['rag.top_k', 'Passages retrieved (top k)', 'int', { min: 1, max: 50 }],
    ['rag.min_score', 'Minimum score', 'number', { min: 0, max: 1, step: 0.05 }],
    ['widget.title', 'Widget title', 'text', { max: 100 }],
    ['widget.color', 'Colour', 'color', {}],
    ['widget.position', 'Position', 'select', { options: ['bottom-right', 'bottom-left'] }],
    ['widget.citations', 'Sources shown', 'select', { options: ['titles', 'snippets', 'none'],
      labels: { titles: 'Titles only', snippets: 'Titles, snippets and links', none: 'None' } }],
    ['widget.avatar_url', 'Avatar URL', 'url', {}],
    ['widget.greeting', 'Greeting', 'textarea', { max: 500 }],
    ['widget.starter_questions', 'Starter questions (one per line, up to 6)', 'lines', { maxItems: 6, max: 200 }],
    ['allowed_origins', 'Allowed origins (one per line; empty: any site)', 'lines', { maxItems: 50, max: 200, origins: true, wide: true }],
    ['rate_limit.per_session_per_minute', 'Messages per session per minute (empty: server default; 0: no limit)', 'int', { min: 0, max: 1000000, nullable: true }],
    ['rate_limit.per_address_per_minute', 'Messages per visitor address per minute (empty: server default; 0: no limit)', 'int', { min: 0, max: 1000000, nullable: true }],
    ['budget.daily_tokens', 'Daily budget in tokens (empty: none)', 'int', { min: 0, max: 2000000000, nullable: true }],
    ['budget.daily_cost', 'Daily budget in USD (empty: none)', 'number', { min: 0, max: 1000000, step: 0.01, nullable: true }],
    ['budget.message', 'Answer once the daily budget is spent', 'textarea', { max: 2000 }]
  ];

  function getPath(obj, path) {
    return path.split('.').reduce(function (o, k) { return o == null ? undefined : o[k]; }, obj);
  }

  function setPath(obj, path, value) {
    var keys = path.split('.');
    var o = obj;
    keys.slice(0, -1).forEach(function (k) { o = o[k] = o[k] || {}; });
    o[keys[keys.length - 1]] = value;
  }

  function control(f, bot) {
    var path = f[0], kind = f[2], opt = f[3];
    var value = bot ? getPath(bot, path) : undefined;
    var id = 'f-' + path.replace(/\./g, '-');
    var el;
    if (kind === 'textarea' || kind === 'lines') {
      el = h('textarea', { id: id });
      el.value = kind === 'lines' ? (value || []).join('\n') : (value || '');
    } else if (kind === 'select' || kind === 'provider') {
      var options = kind === 'provider' ? ['openai', 'anthropic', 'extractive'] : opt.options;
      if (kind === 'provider' && value && options.indexOf(value) < 0) { options = options.concat([value]); }
      el = h('select', { id: id }, options.map(function (o) { return h('option', { value: o }, (opt.labels && opt.labels[o]) || o); }));
      if (value) { el.value = value; }
    } else if (kind === 'bool') {
      el = h('input', { id: id, type: 'checkbox' });
      el.checked = bot ? !!value : true;
    } else if (kind === 'color') {
      el = h('input', { id: id, type: 'color' });
      el.value = value || '#4f46e5';
    } else if (kind === 'key') {
      el = h('input', { id: id, type: 'password', autocomplete: 'new-password',
        placeholder: bot && bot.api_key_set ? 'Stored: ' + (bot.api_key_hint || '••••') + ' (leave empty to keep)' : 'Not set (uses the server default)' });
    } else {
      el = h('input', { id: id, type: kind === 'number' || kind === 'int' ? 'number' : (kind === 'url' ? 'url' : 'text') });
      if (opt.step) { el.step = String(opt.step); }
      if (kind === 'int') { el.step = '1'; }
      if (opt.min !== undefined) { el.min = String(opt.min); }
      if (opt.max !== undefined && (kind === 'number' || kind === 'int')) { el.max = String(opt.max); }
      el.value = value === null || value === undefined ? '' : String(value);
    }
    el.dataset.field = path;
    var msg = h('span', { class: 'field-error', id: id + '-error', 'aria-live': 'polite' });
    el.setAttribute('aria-describedby', id + '-error');
    var label = h('label', { class: (kind === 'bool' ? 'check ' : '') + (opt.wide || kind === 'textarea' ? 'wide' : ''), for: id },
      kind === 'bool' ? [el, f[1]] : [f[1], el], opt.hint ? h('span', { class: 'hint' }, opt.hint) : null, msg);
    if (kind === 'key' && bot && bot.api_key_set) {
      label.appendChild(h('span', { class: 'hint key-hint' }, 'A key is stored (' + (bot.api_key_hint || 'masked') + '). It is never shown again.'));
    }
    return label;
  }

  function fieldError(form, path, message) {
    var el = form.querySelector('[data-field="' + path + '"]');
    if (!el) { return false; }
    el.setAttribute('aria-invalid', 'true');
    document.getElementById(el.id + '-error').textContent = message;
    return true;
  }

  function isOrigin(s) {
    return /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(s) || /^https?:\/\/\[[0-9a-fA-F:]+\](:\d{1,5})?$/.test(s);
  }

  /** Reads and validates the form; returns {body, errors}. */
  function collect(form, creating) {
    var body = {};
    var errors = [];
    FIELDS.forEach(function (f) {
      var path = f[0], kind = f[2], opt = f[3];
      var el = form.querySelector('[data-field="' + path + '"]');
      var raw = kind === 'bool' ? el.checked : el.value;
      var value;
      var bad = function (m) { errors.push([path, m]); };
      if (kind === 'bool') {
        value = raw;
      } else if (kind === 'key') {
        value = raw.trim();
        if (!value) { return; }
        if (/[^\x21-\x7e]/.test(value)) { bad('Printable characters only, no spaces'); }
        if (value.length > 500) { bad('At most 500 characters'); }
      } else if (kind === 'number' || kind === 'int') {
        if (raw.trim() === '') {
          if (opt.nullable) { value = null; } else { bad('Required'); return; }
        } else {
          value = Number(raw);
          if (!isFinite(value)) { bad('Must be a number'); return; }
          if (kind === 'int' && Math.round(value) !== value) { bad('Must be a whole number'); }
          if (value < opt.min || value > opt.max) { bad('Must be between ' + opt.min + ' and ' + opt.max); }
        }
      } else if (kind === 'lines') {
        value = raw.split('\n').map(function (s) { return s.trim(); }).filter(Boolean);
        if (value.length > opt.maxItems) { bad('At most ' + opt.maxItems + ' entries'); }
        value.forEach(function (s) {
          if (s.length > opt.max) { bad('Each entry at most ' + opt.max + ' characters'); }
          if (opt.origins && !isOrigin(s.replace(/\/$/, ''))) { bad('"' + s + '" is not an origin like https://example.com'); }
        });
        if (opt.origins) { value = value.map(function (s) { return s.replace(/\/$/, ''); }); }
      } else if (kind === 'url') {
        value = raw.trim() || null;
        if (value && !/^https?:\/\/[^\s/?#]+/i.test(value)) { bad('Must be an http or https URL'); }
      } else if (kind === 'color') {
        value = raw;
        if (!/^#[0-9a-fA-F]{6}$/.test(value)) { bad('Must be a colour like #4f46e5'); }
      } else {
        value = kind === 'text' || kind === 'provider' || kind === 'select' ? raw.trim() : raw;
        if (path === 'name' && !value) { bad('A name is required'); }
        if (opt.max && value.length > opt.max) { bad('At most ' + opt.max + ' characters'); }
        if (value === '' && (path === 'model' || path.indexOf('widget.') === 0 || path === 'prompt' || path === 'fallback_text' || path === 'budget.message')) { value = null; }
      }
      if (path === 'provider' && !/^[a-z][a-z0-9_-]{0,31}$/.test(value || '')) { bad('A lower-case name such as openai'); }
      setPath(body, path, value);
    });
    return { body: body, errors: errors };
  }

  /** What a new bot starts with (the server's defaults). */
  var NEW_BOT = {
    provider: 'openai', prompt: 'You are a helpful assistant. Answer briefly and accurately.', temperature: 0.7,
    max_tokens: 1024, history_limit: 20, max_message_chars: 4000, rag: { enabled: true, top_k: 4, min_score: 0.3 },
    widget: { color: '#4f46e5', position: 'bottom-right', greeting: 'Hi! How can I help you today?', citations: 'titles', starter_questions: [] },
    allowed_origins: []
  };

  function botForm(existing) {
    var creating = !existing;
    var bot = existing || NEW_BOT;
    var err = errorBox();
    var grid = h('div', { class: 'grid' });
    var sections = [['Basics', 0, 5], ['Prompt and model', 5, 11], ['Knowledge base', 11, 14], ['Widget look', 14, 21], ['Where it may run', 21, 22],
      ['Limits and daily budget', 22, 27]];
    var form = h('form', { id: 'bot-form', novalidate: true });
    form.appendChild(err);
    sections.forEach(function (s) {
      form.appendChild(h('h3', null, s[0]));
      var g = h('div', { class: 'grid' });
      FIELDS.slice(s[1], s[2]).forEach(function (f) { g.appendChild(control(f, bot)); });
      form.appendChild(g);
    });
    void grid;
    var save = h('button', { class: 'primary', type: 'submit', id: 'save' }, creating ? 'Create bot' : 'Save changes');
    form.appendChild(h('div', { class: 'actions' }, save,
      creating ? null : h('button', { type: 'button', class: 'danger', on: { click: function () { removeBot(bot, err); } } }, 'Delete bot')));
    form.addEventListener('input', function (e) {
      if (e.target.dataset && e.target.dataset.field) {
        e.target.removeAttribute('aria-invalid');
        var m = document.getElementById(e.target.id + '-error');
        if (m) { m.textContent = ''; }
      }
    });
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      err.hidden = true;
      form.querySelectorAll('[aria-invalid]').forEach(function (el) { el.removeAttribute('aria-invalid'); });
      form.querySelectorAll('.field-error').forEach(function (el) { el.textContent = ''; });
      var result = collect(form, creating);
      if (result.errors.length) {
        result.errors.forEach(function (x) { fieldError(form, x[0], x[1]); });
        showError(err, { message: 'Please correct the highlighted fields.' });
        var first = form.querySelector('[aria-invalid="true"]');
        if (first) { first.focus(); }
        return;
      }
      save.disabled = true;
      var req = creating ? api('POST', '/api/bots', result.body) : api('PUT', '/api/bots/' + encodeURIComponent(bot.id), result.body);
      req.then(function (saved) {
        toast(creating ? 'Bot created' : 'Changes saved');
        location.hash = '#/bots/' + encodeURIComponent(saved.id) + (creating ? '/deploy' : '');
        if (!creating) { route(); }
      }, function (e2) {
        save.disabled = false;
        if (e2.field) { fieldError(form, e2.field, e2.message); }
        showError(err, e2);
      });
    });
    return form;
  }

  // ---- one bot -----------------------------------------------------------------------------

  var TABS = [['', 'Settings'], ['knowledge', 'Knowledge'], ['deploy', 'Deploy'], ['conversations', 'Conversations'], ['usage', 'Usage']];

  function botPage(id, tab, sub) {
    var err = errorBox();
    render(h('p', { class: 'muted' }, 'Loading…'));
    api('GET', '/api/bots/' + encodeURIComponent(id)).then(function (bot) {
      var base = '#/bots/' + encodeURIComponent(bot.id);
      var tabs = h('nav', { class: 'tabs', 'aria-label': 'Bot sections' }, TABS.map(function (t) {
        return h('a', { href: base + (t[0] ? '/' + t[0] : ''), 'aria-current': t[0] === tab ? 'page' : null }, t[1]);
      }));
      var content = h('section', { class: 'card' });
      render(h('h1', { id: 'bot-title' }, bot.name, providerBadge(bot)), tabs, err, content);
      if (tab === 'deploy') { deploy(bot, content); }
      else if (tab === 'conversations' && sub) { conversation(bot, sub, content, err); }
      else if (tab === 'conversations') { conversations(bot, content, err); }
      else if (tab === 'usage') { usage(bot, content, err); }
      else if (tab === 'knowledge') { knowledge(bot, content); }
      else { content.appendChild(botForm(bot)); }
    }, function (e) { render(err); showError(err, e); });
  }

  function deploy(bot, box) {
    var d = bot.deploy || {};
    var url = h('input', { id: 'chat-url', readonly: true, 'aria-label': 'Chat page URL' });
    url.value = d.chat_url || '';
    var code = h('textarea', { id: 'embed-code', readonly: true, rows: 2, 'aria-label': 'Widget embed code' });
    code.value = d.embed_code || '';
    var copyUrl = h('button', { type: 'button', class: 'secondary', id: 'copy-url' }, 'Copy');
    copyUrl.addEventListener('click', function () { copyText(url.value, copyUrl); });
    var copyCode = h('button', { type: 'button', class: 'secondary', id: 'copy-embed' }, 'Copy');
    copyCode.addEventListener('click', function () { copyText(code.value, copyCode); });
    var w = bot.widget || {};
    var side = w.position === 'bottom-left' ? 'left' : 'right';
    var launcher = h('div', { class: 'launcher ' + side, 'aria-hidden': 'true' });
    launcher.style.background = /^#[0-9a-fA-F]{6}$/.test(w.color || '') ? w.color : '#4f46e5';
    var frame = h('iframe', { class: side, title: 'Widget preview', src: '/chat/' + encodeURIComponent(bot.id) + '?embed=1' });
    append(box, [
      h('h2', null, 'Chat page'),
      h('div', { class: 'code' }, url, copyUrl, h('a', { href: d.chat_url, target: '_blank', rel: 'noopener noreferrer', class: 'secondary' }, 'Open')),
      h('h2', null, 'Website widget'),
      h('p', { class: 'muted' }, 'Paste this tag before </body> on any page. ' +
        ((bot.allowed_origins || []).length ? 'It works on: ' + bot.allowed_origins.join(', ') + '.' : 'It works on any site (no allowed origins set).')),
      h('div', { class: 'code' }, code, copyCode),
      h('h2', null, 'Live preview'),
      h('div', { class: 'preview', id: 'preview' }, frame, launcher)
    ]);
  }

  function conversations(bot, box, err) {
    var body = h('tbody');
    var more = h('p', { class: 'muted' });
    append(box, [h('h2', null, 'Conversations'), h('table', { id: 'conversations' },
      h('thead', null, h('tr', null, h('th', null, 'First message'), h('th', null, 'Messages'), h('th', null, 'Started'), h('th', null, 'Last activity'))), body), more]);
    api('GET', '/api/bots/' + encodeURIComponent(bot.id) + '/conversations?limit=100').then(function (page) {
      var list = page.conversations || [];
      if (!list.length) { body.appendChild(h('tr', null, h('td', { colspan: 4, class: 'muted' }, 'No conversations yet.'))); }
      list.forEach(function (c) {
        var first = c.first_message || '(no message)';
        body.appendChild(h('tr', null,
          h('td', null, h('a', { href: '#/bots/' + encodeURIComponent(bot.id) + '/conversations/' + encodeURIComponent(c.id) },
            first.length > 80 ? first.slice(0, 80) + '…' : first)),
          h('td', null, String(c.message_count)), h('td', null, when(c.created_at)), h('td', null, when(c.updated_at))));
      });
      if (page.total > list.length) { more.textContent = 'Showing the newest ' + list.length + ' of ' + page.total + '.'; }
    }, function (e) { showError(err, e); });
  }

  function conversation(bot, cid, box, err) {
    var list = h('div', { class: 'transcript', id: 'transcript' });
    append(box, [h('p', null, h('a', { href: '#/bots/' + encodeURIComponent(bot.id) + '/conversations' }, '← All conversations')), list]);
    api('GET', '/api/bots/' + encodeURIComponent(bot.id) + '/conversations/' + encodeURIComponent(cid)).then(function (c) {
      box.insertBefore(h('h2', null, 'Session ' + c.session_id), list);
      (c.messages || []).forEach(function (m) {
        var meta = [when(m.created_at)];
        if (m.role === 'assistant') {
          if (m.model) { meta.push(m.provider + ' / ' + m.model); }
          if (m.input_tokens != null) { meta.push(m.input_tokens + ' in / ' + m.output_tokens + ' out tokens'); }
          if (m.cost) { meta.push('$' + Number(m.cost).toFixed(5)); }
          if (m.latency_ms != null) { meta.push(m.latency_ms + ' ms'); }
        }
        if (m.status && m.status !== 'complete') { meta.push('status: ' + m.status); }
        if (m.error) { meta.push('error: ' + m.error); }
        if (m.retrieval_error) { meta.push('knowledge base not searched: ' + m.retrieval_error); }
        var sources = Array.isArray(m.sources) && m.sources.length ? h('div', { class: 'meta sources' }, 'Sources: ',
          m.sources.map(function (s) { return s.title || s.name || s.document_name || s.url || 'source'; }).join('; ')) : null;
        var feedback = m.feedback ? h('div', { class: 'meta feedback' }, 'Feedback: ' + (m.feedback === 'up' ? '👍 helpful' : '👎 not helpful') +
          (m.feedback_comment ? ' — ' + m.feedback_comment : '')) : null;
        list.appendChild(h('div', { class: 'msg ' + (m.role === 'user' ? 'user' : 'assistant') },
          h('strong', null, m.role === 'user' ? 'Visitor: ' : 'Bot: '), m.content || '',
          h('div', { class: 'meta' }, meta.join(' · ')), sources, feedback));
      });
    }, function (e) { showError(err, e); });
  }

  // ---- usage charts ------------------------------------------------------------------------

  function chart(id, title, days, series, format) {
    var W = 320, H = 150, P = 22, B = 18;
    var totals = days.map(function (d) { return series.reduce(function (s, x) { return s + (Number(d[x.key]) || 0); }, 0); });
    var max = Math.max.apply(null, totals.concat([0]));
    var scale = max > 0 ? (H - P - B) / max : 0;
    var bw = (W - 8) / Math.max(days.length, 1);
    var s = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': title });
    s.appendChild(svg('line', { x1: 4, x2: W - 4, y1: H - B, y2: H - B, stroke: '#9ca3af' }));
    days.forEach(function (d, i) {
      var y = H - B;
      series.forEach(function (x) {
        var v = Number(d[x.key]) || 0;
        if (v <= 0) { return; }
        var hgt = Math.max(1, v * scale);
        y -= hgt;
        var r = svg('rect', { x: (4 + i * bw + bw * 0.12).toFixed(1), y: y.toFixed(1), width: (bw * 0.76).toFixed(1), height: hgt.toFixed(1), fill: x.color });
        var t = svg('title');
        t.textContent = d.date + ': ' + x.label + ' ' + format(v);
        r.appendChild(t);
        s.appendChild(r);
      });
    });
    var top = svg('text', { x: 4, y: 12, 'font-size': 10, fill: '#6b7280' });
    top.textContent = 'max ' + format(max);
    var first = svg('text', { x: 4, y: H - 4, 'font-size': 10, fill: '#6b7280' });
    first.textContent = days.length ? days[0].date : '';
    var last = svg('text', { x: W - 4, y: H - 4, 'font-size': 10, fill: '#6b7280', 'text-anchor': 'end' });
    last.textContent = days.length ? days[days.length - 1].date : '';
    s.appendChild(top); s.appendChild(first); s.appendChild(last);
    var sum = totals.reduce(function (a, b) { return a + b; }, 0);
    var active = totals.filter(function (t) { return t > 0; }).length;
    var summary = id === 'chart-latency' ? 'average ' + format(active ? sum / active : 0) : 'total ' + format(sum);
    var legend = series.length > 1 ? h('div', { class: 'muted' }, series.map(function (x) {
      var sw = h('span', { 'aria-hidden': 'true' }, '■ ');
      sw.style.color = x.color;
      return h('span', null, sw, x.label + '  ');
    })) : null;
    return h('figure', { class: 'chart', id: id },
      h('figcaption', null, title + ' ', h('span', { class: 'total' }, '(' + summary + ')')), s, legend);
  }

  /** Today's spend against the daily budget, and whether the bot now answers with its budget message. */
  function showBudget(el, b) {
    if (!b || (b.daily_tokens == null && b.daily_cost == null)) { el.textContent = 'No daily budget.'; el.className = 'muted'; return; }
    var parts = [];
    if (b.daily_tokens != null) { parts.push(Math.round(b.tokens_today).toLocaleString() + ' of ' + b.daily_tokens.toLocaleString() + ' tokens'); }
    if (b.daily_cost != null) { parts.push('$' + b.cost_today.toFixed(4) + ' of $' + b.daily_cost.toFixed(2)); }
    el.textContent = 'Today (UTC): ' + parts.join(', ') + (b.exhausted ? ' — budget spent: the bot answers with its budget message.' : '.');
    el.className = b.exhausted ? 'error' : 'muted';
  }

  function usage(bot, box, err) {
    var select = h('select', { id: 'days', 'aria-label': 'Period' },
      [7, 30, 90].map(function (n) { return h('option', { value: String(n) }, 'Last ' + n + ' days'); }));
    select.value = '30';
    var charts = h('div', { class: 'charts', id: 'charts' });
    var budget = h('p', { id: 'budget-status', class: 'muted' });
    append(box, [h('div', { class: 'actions' }, h('h2', null, 'Usage'), select), budget, charts]);
    var load = function () {
      api('GET', '/api/bots/' + encodeURIComponent(bot.id) + '/stats?days=' + select.value).then(function (stats) {
        var days = stats.days || [];
        var n = function (v) { return Math.round(v).toLocaleString(); };
        showBudget(budget, stats.budget);
        var avgLatency = days.map(function (d) { return { date: d.date, v: d.avg_latency_ms || 0 }; });
        charts.replaceChildren(
          chart('chart-turns', 'Turns', days, [{ key: 'turns', label: 'turns', color: '#4f46e5' }], n),
          chart('chart-tokens', 'Tokens', days, [{ key: 'input_tokens', label: 'input', color: '#0ea5e9' },
            { key: 'output_tokens', label: 'output', color: '#6366f1' }], n),
          chart('chart-cost', 'Cost (USD)', days, [{ key: 'cost', label: 'cost', color: '#059669' }], function (v) { return '$' + v.toFixed(4); }),
          chart('chart-latency', 'Average latency (ms)', avgLatency, [{ key: 'v', label: 'avg latency', color: '#d97706' }], n),
          chart('chart-errors', 'Errors', days, [{ key: 'errors', label: 'errors', color: '#dc2626' }], n),
          chart('chart-feedback', 'Feedback', days, [{ key: 'feedback_up', label: 'helpful', color: '#16a34a' },
            { key: 'feedback_down', label: 'not helpful', color: '#f97316' }], n));
      }, function (e) { showError(err, e); });
    };
    select.addEventListener('change', load);
    load();
  }

  // ---- knowledge base ----------------------------------------------------------------------
  // The Knowledge tab of a bot: uploads (one XMLHttpRequest per file, so each file has its own
  // progress bar), the document list (polled while a document is pending or processing, and not
  // once the tab is left), "add text" and "add URL" forms, and a retrieval preview. Names,
  // errors and passages from the API are inserted as text only (h() and textContent).

  var KB_TYPES = ['txt', 'text', 'md', 'markdown', 'html', 'htm', 'pdf', 'docx'];
  var KB_ACCEPT = '.txt,.text,.md,.markdown,.html,.htm,.pdf,.docx';
  /** http.upload_limit_bytes as shipped; a server with a lower limit answers 413, shown on the file. */
  var KB_MAX_BYTES = 20 * 1024 * 1024;
  var KB_PARALLEL = 3;
  var KB_POLL_MS = 1000;
  var KB_STATUS = { pending: 'Waiting', processing: 'Processing', ready: 'Ready', failed: 'Failed' };
  var kbStop = null;

  /** Stops the polling (and late DOM updates) of the Knowledge tab on screen, if any. */
  function stopKnowledge() {
    if (kbStop) { kbStop(); kbStop = null; }
  }
  window.addEventListener('hashchange', stopKnowledge);
  // A file dropped next to the drop zone must not make the browser leave the dashboard.
  ['dragover', 'drop'].forEach(function (type) {
    window.addEventListener(type, function (e) {
      if (e.dataTransfer && [].indexOf.call(e.dataTransfer.types || [], 'Files') >= 0) { e.preventDefault(); }
    });
  });

  function kbSize(n) {
    if (n === null || n === undefined) { return ''; }
    if (n < 1024) { return n + ' B'; }
    if (n < 1024 * 1024) { return (n / 1024).toFixed(1) + ' KB'; }
    return (n / 1048576).toFixed(1) + ' MB';
  }

  function kbType(name) {
    var m = /\.([^.\/\\]+)$/.exec(name || '');
    return m ? m[1].toLowerCase() : '';
  }

  /** Why a file cannot be sent, or null. */
  function kbCheck(file) {
    if (KB_TYPES.indexOf(kbType(file.name)) < 0) { return 'Not sent: only txt, md, html, pdf and docx files can be added.'; }
    if (file.size > KB_MAX_BYTES) {
      return 'Not sent: ' + kbSize(file.size) + ' is over the upload limit of ' + kbSize(KB_MAX_BYTES) + '.';
    }
    return null;
  }

  /** POSTs one file as multipart/form-data; {promise, abort}. The promise rejects with an ApiError. */
  function kbUpload(path, file, onProgress) {
    var xhr = new XMLHttpRequest();
    var promise = new Promise(function (resolve, reject) {
      var data = new FormData();
      data.append('file', file, file.name);
      xhr.open('POST', path);
      xhr.setRequestHeader('Authorization', 'Bearer ' + token());
      xhr.setRequestHeader('Accept', 'application/json');
      xhr.upload.addEventListener('progress', function (e) {
        if (e.lengthComputable) { onProgress(e.loaded, e.total); }
      });
      xhr.addEventListener('load', function () {
        var json = null;
        try { json = JSON.parse(xhr.responseText); } catch (ignored) { json = null; }
        if (xhr.status >= 200 && xhr.status < 300) { resolve(json || {}); return; }
        if (xhr.status === 401) {
          sessionStorage.removeItem(TOKEN_KEY);
          location.hash = '#/login';
        }
        var err = new ApiError(xhr.status, json);
        if (!(json && json.error && json.error.message)) {
          if (xhr.status === 413) { err.message = 'The file is larger than the server accepts.'; err.code = 'payload_too_large'; }
          if (xhr.status === 415) { err.message = 'Parley reads txt, md, html, pdf and docx files only.'; err.code = 'unsupported_media_type'; }
        }
        reject(err);
      });
      xhr.addEventListener('error', function () {
        var err = new ApiError(0, null);
        err.message = 'The upload was interrupted: Parley cannot be reached, or the file is over the server\'s upload limit.';
        reject(err);
      });
      xhr.addEventListener('abort', function () {
        var err = new ApiError(0, null);
        err.message = 'Upload cancelled.';
        err.code = 'cancelled';
        reject(err);
      });
      xhr.send(data);
    });
    return { promise: promise, abort: function () { xhr.abort(); } };
  }

  function kbErrorText(err) {
    return err.message + (err.code && err.status ? ' (' + err.code + ')' : '');
  }

  /** A labelled control for the small knowledge forms, wired to fieldError() through data-field. */
  function kbField(id, field, label, el, hint) {
    el.id = id;
    el.dataset.field = field;
    el.setAttribute('aria-describedby', id + '-error');
    return h('label', { for: id, class: el.tagName === 'TEXTAREA' ? 'wide' : null }, label, el,
      hint ? h('span', { class: 'hint' }, hint) : null,
      h('span', { class: 'field-error', id: id + '-error', 'aria-live': 'polite' }));
  }

  function kbClearErrors(form, box) {
    box.hidden = true;
    form.querySelectorAll('[aria-invalid]').forEach(function (el) { el.removeAttribute('aria-invalid'); });
    form.querySelectorAll('.field-error').forEach(function (el) { el.textContent = ''; });
  }

  function knowledge(bot, box) {
    stopKnowledge();
    var stopped = false;
    var path = '/api/bots/' + encodeURIComponent(bot.id);
    var rag = bot.rag || {};

    // -- document list, polled while something is pending or processing
    var listErr = errorBox();
    var tbody = h('tbody');
    var empty = h('p', { class: 'muted', id: 'documents-empty', hidden: true }, 'No documents yet. Add files, text or a web page above.');
    var summary = h('span', { class: 'muted', id: 'documents-summary' });
    var rows = {};
    var live = h('p', { class: 'visually-hidden', id: 'kb-live', 'aria-live': 'polite' });
    var timer = 0, inflight = false, again = false;

    // -- re-index: offered when documents were embedded with another model than the configured one
    var reindexText = h('span');
    var reindexBtn = h('button', { type: 'button', class: 'secondary', id: 'reindex-button' }, 'Re-index');
    var reindexBox = h('p', { class: 'notice', id: 'reindex', hidden: true }, reindexText, ' ', reindexBtn);
    function showIndex(res) {
      reindexBox.hidden = !(res && res.reindex_needed);
      if (!reindexBox.hidden) {
        var n = Number(res.reindex_documents) || 0;
        var old = (res.indexed_models || []).filter(function (m) { return m !== res.embedding_model; });
        reindexText.textContent = n + (n === 1 ? ' document was' : ' documents were') + ' embedded with ' + old.join(', ') +
          ', not with the configured model ' + res.embedding_model + '. Re-index to embed ' + (n === 1 ? 'it' : 'them') + ' again with it.';
      }
    }
    reindexBtn.addEventListener('click', function () {
      reindexBtn.disabled = true;
      api('POST', path + '/reindex').then(function (res) {
        reindexBtn.disabled = false;
        toast('Re-indexing ' + res.queued + (res.queued === 1 ? ' document' : ' documents'));
        load();
      }, function (e) { reindexBtn.disabled = false; showError(listErr, e); });
    });

    function statusCell(doc) {
      var cell = [h('span', { class: 'badge badge-' + (KB_STATUS[doc.status] ? doc.status : 'pending') }, KB_STATUS[doc.status] || String(doc.status))];
      var total = Number(doc.chunks_total) || 0, done = Number(doc.chunks_done) || 0;
      if (doc.status === 'processing') {
        if (total > 0) {
          cell.push(h('progress', { class: 'doc-progress', max: String(total), value: String(Math.min(done, total)),
            'aria-label': 'Ingestion of ' + doc.name }), h('span', { class: 'muted chunks' }, done + ' / ' + total + ' chunks'));
        } else {
          cell.push(h('span', { class: 'muted chunks' }, 'reading…'));
        }
      } else if (doc.status === 'ready') {
        cell.push(h('span', { class: 'muted chunks' }, total + (total === 1 ? ' chunk' : ' chunks')));
      } else if (doc.status === 'failed') {
        cell.push(h('div', { class: 'doc-error' }, doc.error || 'Ingestion failed (no reason given).'));
      }
      return cell;
    }

    function nameCell(doc) {
      var out = [h('span', { class: 'doc-name' }, doc.name || '(unnamed)')];
      if (doc.source === 'url' && doc.url && /^https?:\/\//i.test(doc.url)) {
        out.push(h('div', { class: 'hint' }, h('a', { href: doc.url, target: '_blank', rel: 'noopener noreferrer' }, doc.url)));
      }
      return out;
    }

    function kindText(doc) {
      var kind = doc.source === 'url' ? 'web page' : doc.source === 'text' ? 'text' : (kbType(doc.name) || 'file');
      var size = kbSize(doc.size_bytes);
      return kind + (size ? ' · ' + size : '');
    }

    function makeRow(doc) {
      var retry = h('button', { type: 'button', class: 'secondary retry', hidden: true }, 'Retry');
      var del = h('button', { type: 'button', class: 'danger delete' }, 'Delete');
      var row = h('tr', { 'data-doc-id': doc.id }, h('td', { class: 'name' }), h('td', { class: 'kind' }),
        h('td', { class: 'status' }), h('td', { class: 'added' }), h('td', { class: 'doc-actions' }, retry, ' ', del));
      row.doc = doc;
      retry.addEventListener('click', function () {
        retry.disabled = true;
        api('POST', path + '/documents/' + encodeURIComponent(row.doc.id) + '/retry').then(function (d) {
          retry.disabled = false;
          listErr.hidden = true;
          if (d && d.id) { fillRow(row, d); }
          toast('Queued again');
          load();
        }, function (e) { retry.disabled = false; showError(listErr, e); });
      });
      del.addEventListener('click', function () {
        if (!confirm('Delete "' + row.doc.name + '" from the knowledge base? Its passages will no longer be used in answers.')) { return; }
        del.disabled = true;
        api('DELETE', path + '/documents/' + encodeURIComponent(row.doc.id)).then(function () {
          delete rows[row.doc.id];
          row.remove();
          toast('Document deleted');
          load();
        }, function (e) {
          del.disabled = false;
          if (e.status === 404) { load(); }
          showError(listErr, e);
        });
      });
      return row;
    }

    function fillRow(row, doc) {
      var before = row.doc;
      row.doc = doc;
      row.setAttribute('data-status', doc.status);
      // Cells are rebuilt only when what they show changed: no churn for screen readers or tests.
      var sigs = [doc.name + '\n' + doc.url, [doc.status, doc.chunks_done, doc.chunks_total, doc.error].join('\n')];
      if (row.sigs === undefined || row.sigs[0] !== sigs[0]) { row.cells[0].replaceChildren.apply(row.cells[0], nameCell(doc)); }
      if (row.sigs === undefined || row.sigs[1] !== sigs[1]) { row.cells[2].replaceChildren.apply(row.cells[2], statusCell(doc)); }
      row.sigs = sigs;
      var kind = kindText(doc), added = when(doc.created_at);
      if (row.cells[1].textContent !== kind) { row.cells[1].textContent = kind; }
      if (row.cells[3].textContent !== added) { row.cells[3].textContent = added; }
      row.querySelector('.retry').hidden = doc.status !== 'failed';
      if (before && before.status !== doc.status && (doc.status === 'ready' || doc.status === 'failed')) {
        live.textContent = doc.name + ': ' + KB_STATUS[doc.status] + (doc.status === 'failed' && doc.error ? ', ' + doc.error : '');
      }
    }

    function show(docs) {
      var seen = {};
      docs.forEach(function (doc, i) {
        seen[doc.id] = true;
        var row = rows[doc.id] || (rows[doc.id] = makeRow(doc));
        fillRow(row, doc);
        // Moves only rows out of place, so a focused button keeps its focus.
        if (tbody.children[i] !== row) { tbody.insertBefore(row, tbody.children[i] || null); }
      });
      Object.keys(rows).forEach(function (id) {
        if (!seen[id]) { rows[id].remove(); delete rows[id]; }
      });
      empty.hidden = docs.length > 0;
      var count = function (s) { return docs.filter(function (d) { return d.status === s; }).length; };
      var busy = count('pending') + count('processing');
      summary.textContent = docs.length ? docs.length + (docs.length === 1 ? ' document' : ' documents') + ': ' + count('ready') + ' ready' +
        (busy ? ', ' + busy + ' in progress' : '') + (count('failed') ? ', ' + count('failed') + ' failed' : '') : '';
      return busy > 0;
    }

    function load() {
      if (stopped) { return; }
      if (inflight) { again = true; return; }
      inflight = true;
      clearTimeout(timer);
      api('GET', path + '/documents').then(function (res) {
        inflight = false;
        if (stopped || !box.isConnected) { return; }
        listErr.hidden = true;
        showIndex(res);
        var busy = show((res && res.documents) || []);
        if (again) { again = false; load(); } else if (busy) { timer = setTimeout(load, KB_POLL_MS); }
      }, function (e) {
        inflight = false;
        if (stopped || !box.isConnected) { return; }
        showError(listErr, e);
        again = false;
        if (e.status !== 401) { timer = setTimeout(load, KB_POLL_MS * 5); }
      });
    }

    kbStop = function () { stopped = true; clearTimeout(timer); };

    // -- uploads: a queue of files, KB_PARALLEL at once, each with its own progress bar
    var uploads = h('ul', { class: 'uploads', id: 'uploads', 'aria-label': 'Uploads' });
    var queue = [];
    var active = 0;

    function setUpload(item, state, text) {
      item.li.setAttribute('data-state', state);
      item.status.textContent = text;
      item.cancel.hidden = state !== 'queued' && state !== 'uploading';
    }

    function pump() {
      while (active < KB_PARALLEL && queue.length) {
        start(queue.shift());
      }
    }

    function start(item) {
      active++;
      setUpload(item, 'uploading', 'Uploading… 0%');
      var req = kbUpload(path + '/documents', item.file, function (loaded, total) {
        var pct = total ? Math.floor(loaded * 100 / total) : 0;
        item.bar.value = pct;
        item.status.textContent = 'Uploading… ' + pct + '%';
      });
      item.abort = req.abort;
      req.promise.then(function (res) {
        item.bar.value = 100;
        var doc = res.documents && res.documents[0];
        if (doc && doc.id) { item.li.setAttribute('data-doc-id', doc.id); }
        setUpload(item, 'done', 'Uploaded; ingestion runs below.');
      }, function (e) {
        item.li.classList.add('failed');
        setUpload(item, e.code === 'cancelled' ? 'cancelled' : 'failed', kbErrorText(e));
      }).then(function () {
        active--;
        pump();
        load();
      });
    }

    function addFiles(list) {
      var files = [].slice.call(list || []);
      if (!files.length) { return; }
      clearDone.hidden = false;
      files.forEach(function (file) {
        var bar = h('progress', { max: '100', value: '0', 'aria-label': 'Upload of ' + file.name });
        var status = h('span', { class: 'upload-status' });
        var cancel = h('button', { type: 'button', class: 'link-button' }, 'Cancel');
        var li = h('li', { class: 'upload' }, h('span', { class: 'upload-name' }, file.name),
          h('span', { class: 'muted upload-size' }, kbSize(file.size)), bar, status, cancel);
        li.setAttribute('data-name', file.name);
        var item = { file: file, li: li, bar: bar, status: status, cancel: cancel, abort: null };
        cancel.addEventListener('click', function () {
          if (item.abort) { item.abort(); return; }
          queue.splice(queue.indexOf(item), 1);
          setUpload(item, 'cancelled', 'Upload cancelled.');
        });
        uploads.appendChild(li);
        var problem = kbCheck(file);
        if (problem) {
          li.classList.add('failed');
          bar.hidden = true;
          setUpload(item, 'rejected', problem);
          return;
        }
        setUpload(item, 'queued', 'Waiting…');
        queue.push(item);
      });
      pump();
    }

    var picker = h('input', { type: 'file', id: 'kb-files', multiple: true, accept: KB_ACCEPT, class: 'visually-hidden' });
    picker.addEventListener('change', function () {
      addFiles(picker.files);
      picker.value = '';
    });
    var clearDone = h('button', { type: 'button', class: 'secondary', id: 'clear-uploads', hidden: true }, 'Clear finished uploads');
    clearDone.addEventListener('click', function () {
      [].slice.call(uploads.children).forEach(function (li) {
        var s = li.getAttribute('data-state');
        if (s !== 'queued' && s !== 'uploading') { li.remove(); }
      });
      clearDone.hidden = uploads.children.length === 0;
    });
    var zone = h('div', { class: 'dropzone', id: 'dropzone' },
      h('p', null, h('strong', null, 'Drop files here'), ' or ',
        h('label', { class: 'button pick', for: 'kb-files' }, 'choose files', picker)),
      h('p', { class: 'hint' }, 'txt, md, html, pdf or docx; up to ' + kbSize(KB_MAX_BYTES) + ' each; several at once.'));
    var depth = 0;
    zone.addEventListener('dragenter', function (e) { e.preventDefault(); depth++; zone.classList.add('over'); });
    zone.addEventListener('dragover', function (e) {
      e.preventDefault();
      if (e.dataTransfer) { e.dataTransfer.dropEffect = 'copy'; }
    });
    zone.addEventListener('dragleave', function () { depth = Math.max(0, depth - 1); if (!depth) { zone.classList.remove('over'); } });
    zone.addEventListener('drop', function (e) {
      e.preventDefault();
      depth = 0;
      zone.classList.remove('over');
      addFiles(e.dataTransfer && e.dataTransfer.files);
    });

    // -- add text / add URL
    function smallForm(id, title, controls, submitLabel, read, done) {
      var err = errorBox();
      var submit = h('button', { type: 'submit', class: 'primary' }, submitLabel);
      var form = h('form', { id: id, class: 'kb-form', novalidate: true }, h('h3', null, title), err,
        h('div', { class: 'grid' }, controls), h('div', { class: 'actions' }, submit));
      form.addEventListener('input', function (e) {
        if (e.target.dataset && e.target.dataset.field) {
          e.target.removeAttribute('aria-invalid');
          var m = document.getElementById(e.target.id + '-error');
          if (m) { m.textContent = ''; }
        }
      });
      form.addEventListener('submit', function (e) {
        e.preventDefault();
        kbClearErrors(form, err);
        var r = read();
        if (r.errors.length) {
          r.errors.forEach(function (x) { fieldError(form, x[0], x[1]); });
          var first = form.querySelector('[aria-invalid="true"]');
          if (first) { first.focus(); }
          return;
        }
        submit.disabled = true;
        api('POST', path + '/documents', r.body).then(function (res) {
          submit.disabled = false;
          form.reset();
          done(res);
          load();
        }, function (e2) {
          submit.disabled = false;
          if (e2.field) { fieldError(form, e2.field, e2.message); }
          else if (/^url_/.test(e2.code)) { fieldError(form, 'url', e2.message); }
          showError(err, e2);
        });
      });
      return form;
    }

    var textName = h('input', { type: 'text', maxlength: '200', autocomplete: 'off' });
    var textBody = h('textarea', { rows: 5 });
    var textForm = smallForm('kb-text-form', 'Add text', [
      kbField('kb-text-name', 'name', 'Title', textName),
      kbField('kb-text-body', 'text', 'Text (Markdown headings become passage headings)', textBody)
    ], 'Add text', function () {
      var errors = [];
      var name = textName.value.trim();
      if (!name) { errors.push(['name', 'A title is required']); }
      if (name.length > 200) { errors.push(['name', 'At most 200 characters']); }
      if (!textBody.value.trim()) { errors.push(['text', 'Enter some text']); }
      if (textBody.value.length > KB_MAX_BYTES) { errors.push(['text', 'Too long: at most ' + kbSize(KB_MAX_BYTES)]); }
      return { errors: errors, body: { name: name, text: textBody.value } };
    }, function () { toast('Text added'); });

    var urlInput = h('input', { type: 'url', placeholder: 'https://example.com/help', autocomplete: 'off' });
    var urlName = h('input', { type: 'text', maxlength: '200', autocomplete: 'off' });
    var urlForm = smallForm('kb-url-form', 'Add a web page', [
      kbField('kb-url', 'url', 'URL', urlInput),
      kbField('kb-url-name', 'name', 'Title (optional)', urlName, 'Empty: the page\'s address')
    ], 'Add URL', function () {
      var errors = [];
      var url = urlInput.value.trim();
      if (!url) { errors.push(['url', 'Enter the address of a page']); }
      else if (!/^https?:\/\/[^\s\/?#]+[^\s]*$/i.test(url)) { errors.push(['url', 'Must be an http or https URL']); }
      else if (url.length > 2000) { errors.push(['url', 'At most 2000 characters']); }
      var body = { url: url };
      if (urlName.value.trim()) { body.name = urlName.value.trim(); }
      return { errors: errors, body: body };
    }, function () { toast('Page queued'); });

    // -- retrieval preview
    var results = h('ol', { class: 'kb-results', id: 'kb-results', 'aria-live': 'polite' });
    var searchErr = errorBox();
    var query = h('input', { type: 'search', maxlength: '4000', autocomplete: 'off', placeholder: 'A question a visitor might ask' });
    var topK = h('input', { type: 'number', min: '1', max: '50', step: '1' });
    topK.value = String(rag.top_k || 4);
    var minScore = h('input', { type: 'number', min: '-1', max: '1', step: '0.05' });
    minScore.value = String(rag.min_score === undefined || rag.min_score === null ? 0 : rag.min_score);
    var searchBtn = h('button', { type: 'submit', class: 'primary' }, 'Search');
    var searchForm = h('form', { id: 'kb-search', novalidate: true }, searchErr,
      h('div', { class: 'grid' },
        kbField('kb-query', 'query', 'Query', query),
        kbField('kb-top-k', 'top_k', 'Passages (top k)', topK),
        kbField('kb-min-score', 'min_score', 'Minimum score', minScore, 'The bot\'s settings; change them here to explore.')),
      h('div', { class: 'actions' }, searchBtn));
    searchForm.addEventListener('submit', function (e) {
      e.preventDefault();
      kbClearErrors(searchForm, searchErr);
      var q = query.value.trim();
      var k = Number(topK.value), m = Number(minScore.value);
      var bad = false;
      if (!q) { fieldError(searchForm, 'query', 'Enter a query'); bad = true; }
      if (!(k >= 1 && k <= 50 && Math.round(k) === k)) { fieldError(searchForm, 'top_k', 'A whole number from 1 to 50'); bad = true; }
      if (minScore.value.trim() === '' || !(m >= -1 && m <= 1)) { fieldError(searchForm, 'min_score', 'A number from -1 to 1'); bad = true; }
      if (bad) { return; }
      searchBtn.disabled = true;
      results.setAttribute('aria-busy', 'true');
      api('POST', path + '/search', { query: q, top_k: k, min_score: m }).then(function (res) {
        searchBtn.disabled = false;
        results.removeAttribute('aria-busy');
        var list = (res && res.results) || [];
        results.replaceChildren();
        if (!list.length) {
          results.appendChild(h('li', { class: 'muted none' }, 'No passage found' + (m > 0 ? ' at or above a score of ' + m : '') +
            '. Only documents marked Ready are searched.'));
          return;
        }
        list.forEach(function (r, i) {
          var score = typeof r.score === 'number' ? r.score.toFixed(3) : String(r.score);
          var full = r.text && r.text !== r.snippet ? h('details', null, h('summary', null, 'Whole passage'), h('div', { class: 'passage' }, r.text)) : null;
          results.appendChild(h('li', { class: 'kb-result', 'data-document-id': r.document_id || null },
            h('div', { class: 'kb-result-head' },
              h('span', { class: 'rank' }, '#' + (i + 1)),
              h('strong', { class: 'result-document' }, r.document_name || '(unnamed document)'),
              r.heading ? h('span', { class: 'result-heading' }, r.heading) : null,
              h('span', { class: 'score', title: 'Cosine similarity' }, 'score ' + score)),
            h('p', { class: 'snippet' }, r.snippet || ''), full));
        });
      }, function (e2) {
        searchBtn.disabled = false;
        results.removeAttribute('aria-busy');
        if (e2.field) { fieldError(searchForm, e2.field, e2.message); }
        showError(searchErr, e2);
      });
    });

    var off = rag.enabled === false ? h('p', { class: 'notice', id: 'rag-off' },
      'Answers of this bot do not use the knowledge base (Settings → "Use the knowledge base" is off). ' +
      'Documents can still be added and searched here.') : null;
    append(box, [
      h('h2', null, 'Knowledge base'), off, live,
      zone, uploads, h('div', { class: 'actions upload-actions' }, clearDone),
      h('div', { class: 'actions' }, h('h3', null, 'Documents'), summary),
      reindexBox, listErr,
      h('table', { id: 'documents' }, h('thead', null, h('tr', null, h('th', null, 'Name'), h('th', null, 'Type'),
        h('th', null, 'Status'), h('th', null, 'Added'), h('th', null, ''))), tbody),
      empty,
      h('div', { class: 'kb-forms' }, textForm, urlForm),
      h('h3', null, 'Retrieval preview'),
      h('p', { class: 'muted' }, 'What a chat turn would retrieve for a question, best first.'),
      searchForm, results
    ]);
    load();
  }

  // ---- routing -----------------------------------------------------------------------------

  function route() {
    var signedIn = !!token();
    document.getElementById('nav').hidden = !signedIn;
    document.getElementById('sign-out').hidden = !signedIn;
    var parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
    if (!signedIn || parts[0] === 'login') {
      if (signedIn) { location.hash = '#/bots'; return; }
      signIn();
      return;
    }
    if (parts[0] !== 'bots') { location.hash = '#/bots'; return; }
    if (!parts[1]) { botList(); return; }
    if (parts[1] === 'new') {
      render(h('section', { class: 'card' }, h('h1', null, 'New bot'), botForm(null)));
      return;
    }
    botPage(parts[1], parts[2] || '', parts[3] || null);
  }

  document.getElementById('sign-out').addEventListener('click', function () {
    sessionStorage.removeItem(TOKEN_KEY);
    location.hash = '#/login';
  });
  window.addEventListener('hashchange', route);
  route();
})();
