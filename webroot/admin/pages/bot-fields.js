/*
 * The fields of a bot's settings: their controls (id f-{path with dots as dashes}, data-field
 * {path}) and reading them back into an API body with client-side checks.
 */
import { h } from '../lib/dom.js';

// [path, label, kind, options]
export const FIELDS = [
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

/** [title, first field, end]: the form's sections over FIELDS. */
export const SECTIONS = [['Basics', 0, 5], ['Prompt and model', 5, 11], ['Knowledge base', 11, 14], ['Widget look', 14, 21],
  ['Where it may run', 21, 22], ['Limits and daily budget', 22, 27]];

/** What a new bot starts with (the server's defaults). */
export const NEW_BOT = {
  provider: 'openai', prompt: 'You are a helpful assistant. Answer briefly and accurately.', temperature: 0.7,
  max_tokens: 1024, history_limit: 20, max_message_chars: 4000, rag: { enabled: true, top_k: 4, min_score: 0.3 },
  widget: { color: '#4f46e5', position: 'bottom-right', greeting: 'Hi! How can I help you today?', citations: 'titles', starter_questions: [] },
  allowed_origins: [], rate_limit: { per_session_per_minute: 20, per_address_per_minute: 120 }
};

const PROVIDERS = ['openai', 'anthropic', 'extractive'];
/** A field a reader skips: it is left out of the body. */
const SKIP = {};

function getPath(obj, path) {
  return path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);
}

function setPath(obj, path, value) {
  const keys = path.split('.');
  let o = obj;
  keys.slice(0, -1).forEach((k) => { o = o[k] = o[k] || {}; });
  o[keys[keys.length - 1]] = value;
}

/** The labelled control of field f, filled from bot (null: a new bot). */
export function control(f, bot) {
  const [path, text, kind, opt] = f;
  const id = 'f-' + path.replace(/\./g, '-');
  const el = input(id, kind, opt, bot, bot ? getPath(bot, path) : undefined);
  el.dataset.field = path;
  const msg = h('span', { class: 'field-error', id: id + '-error', 'aria-live': 'polite' });
  el.setAttribute('aria-describedby', id + '-error');
  const label = h('label', { class: (kind === 'bool' ? 'check ' : '') + (opt.wide || kind === 'textarea' ? 'wide' : ''), for: id },
    kind === 'bool' ? [el, text] : [text, el], opt.hint ? h('span', { class: 'hint' }, opt.hint) : null, msg);
  if (kind === 'key' && bot && bot.api_key_set) {
    label.appendChild(h('span', { class: 'hint key-hint' }, 'A key is stored (' + (bot.api_key_hint || 'masked') + '). It is never shown again.'));
  }
  return label;
}

function input(id, kind, opt, bot, value) {
  let el;
  if (kind === 'textarea' || kind === 'lines') {
    el = h('textarea', { id: id });
    el.value = kind === 'lines' ? (value || []).join('\n') : (value || '');
  } else if (kind === 'select' || kind === 'provider') {
    let options = kind === 'provider' ? PROVIDERS : opt.options;
    if (kind === 'provider' && value && options.indexOf(value) < 0) { options = options.concat([value]); }
    el = h('select', { id: id }, options.map((o) => h('option', { value: o }, (opt.labels && opt.labels[o]) || o)));
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
    el = textInput(id, kind, opt, value);
  }
  return el;
}

function textInput(id, kind, opt, value) {
  const numeric = kind === 'number' || kind === 'int';
  const el = h('input', { id: id, type: numeric ? 'number' : (kind === 'url' ? 'url' : 'text') });
  if (opt.step) { el.step = String(opt.step); }
  if (kind === 'int') { el.step = '1'; }
  if (opt.min !== undefined) { el.min = String(opt.min); }
  if (opt.max !== undefined && numeric) { el.max = String(opt.max); }
  el.value = value === null || value === undefined ? '' : String(value);
  return el;
}

function isOrigin(s) {
  // a first check only: the server writes origins as browsers send them (case, punycode, default port)
  return /^https?:\/\/([^\s\/?#@\[\]:]+|\[[0-9a-fA-F:.]+\])(:\d{1,5})?$/i.test(s);
}

/** Reads and validates the form's fields (FIELDS unless given); returns {body, errors} with errors as [[path, message], …]. */
export function collect(form, fields) {
  const body = {};
  const errors = [];
  (fields || FIELDS).forEach(([path, , kind, opt]) => {
    const el = form.querySelector('[data-field="' + path + '"]');
    const bad = (m) => errors.push([path, m]);
    const value = read(path, kind, opt, kind === 'bool' ? el.checked : el.value, bad);
    if (value === SKIP) { return; }
    if (path === 'provider' && !/^[a-z][a-z0-9_-]{0,31}$/.test(value || '')) { bad('A lower-case name such as openai'); }
    setPath(body, path, value);
  });
  return { body: body, errors: errors };
}

function read(path, kind, opt, raw, bad) {
  if (kind === 'bool') { return raw; }
  if (kind === 'key') { return readKey(raw, bad); }
  if (kind === 'number' || kind === 'int') { return readNumber(kind, opt, raw, bad); }
  if (kind === 'lines') { return readLines(opt, raw, bad); }
  if (kind === 'url') {
    const url = raw.trim() || null;
    if (url && !/^https?:\/\/[^\s/?#]+/i.test(url)) { bad('Must be an http or https URL'); }
    return url;
  }
  if (kind === 'color') {
    if (!/^#[0-9a-fA-F]{6}$/.test(raw)) { bad('Must be a colour like #4f46e5'); }
    return raw;
  }
  return readText(path, kind, opt, raw, bad);
}

function readKey(raw, bad) {
  const value = raw.trim();
  if (!value) { return SKIP; }
  if (/[^\x21-\x7e]/.test(value)) { bad('Printable characters only, no spaces'); }
  if (value.length > 500) { bad('At most 500 characters'); }
  return value;
}

function readNumber(kind, opt, raw, bad) {
  if (raw.trim() === '') {
    if (opt.nullable) { return null; }
    bad('Required');
    return SKIP;
  }
  const value = Number(raw);
  if (!isFinite(value)) { bad('Must be a number'); return SKIP; }
  if (kind === 'int' && Math.round(value) !== value) { bad('Must be a whole number'); }
  if (value < opt.min || value > opt.max) { bad('Must be between ' + opt.min + ' and ' + opt.max); }
  return value;
}

function readLines(opt, raw, bad) {
  const value = raw.split('\n').map((s) => s.trim()).filter(Boolean);
  if (value.length > opt.maxItems) { bad('At most ' + opt.maxItems + ' entries'); }
  value.forEach((s) => {
    if (s.length > opt.max) { bad('Each entry at most ' + opt.max + ' characters'); }
    if (opt.origins && !isOrigin(s.replace(/\/$/, ''))) { bad('"' + s + '" is not an origin like https://example.com'); }
  });
  return opt.origins ? value.map((s) => s.replace(/\/$/, '')) : value;
}

/** Names, models, texts and selects; an empty optional text is sent as null. */
function readText(path, kind, opt, raw, bad) {
  const value = kind === 'text' || kind === 'provider' || kind === 'select' ? raw.trim() : raw;
  if (path === 'name' && !value) { bad('A name is required'); }
  if (opt.max && value.length > opt.max) { bad('At most ' + opt.max + ' characters'); }
  const optional = path === 'model' || path.indexOf('widget.') === 0 || path === 'prompt' || path === 'fallback_text' || path === 'budget.message';
  return value === '' && optional ? null : value;
}
