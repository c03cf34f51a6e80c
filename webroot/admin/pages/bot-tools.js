/*
 * The Tools section of a bot's settings (docs/tools.md): max_tool_steps and the list of tools, each edited by
 * type (http, bus, handoff, knowledge_search; any other type, such as mcp, as its JSON), with a "Test this tool"
 * button for a saved tool. Controls follow bot-fields' convention: data-field is the API path
 * (tools[0].url), so a 422 naming a field is shown at it. Secret headers are write-only: a stored one is shown
 * by its hint, a new value is typed into a password field, and a header left untouched is kept by the server.
 */
import { api, botPath } from '../lib/api.js';
import { h } from '../lib/dom.js';
import { errorText, labelled } from '../lib/forms.js';

const TYPES = ['http', 'bus', 'handoff', 'knowledge_search', 'mcp'];
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const EMPTY_SCHEMA = { type: 'object', properties: {} };
/** What a new tool of each type starts with. */
const STARTERS = {
  http: { type: 'http', name: '', method: 'GET', url: 'https://', parameters: EMPTY_SCHEMA },
  bus: { type: 'bus', name: '', parameters: EMPTY_SCHEMA },
  handoff: { type: 'handoff' },
  knowledge_search: { type: 'knowledge_search' },
  mcp: { type: 'mcp', name: '', url: 'https://' }
};

/** The section for bot (NEW_BOT when creating); editable: with add, remove and test buttons. */
export function toolsSection(bot, editable) {
  const box = h('div', { id: 'tools-section' });
  const steps = h('input', { type: 'number', min: '1', max: '20', step: '1' });
  steps.value = String(bot.max_tool_steps || 5);
  const list = h('div', { id: 'tools-list' });
  box.state = { tools: (bot.tools || []).map(copy), saved: bot.id ? (bot.tools || []).map((t) => t.name) : [], botId: bot.id };
  box.append(h('h3', null, 'Tools'),
    h('p', { class: 'hint' }, 'What the bot may call while it answers. Tool results are untrusted text: do not expose ' +
      'anything that changes money, accounts or data without a person checking it.'),
    h('div', { class: 'grid' }, labelled('f-max_tool_steps', 'max_tool_steps', 'Rounds of tool calls per answer (1–20)', steps)),
    list);
  draw(box, list, editable);
  if (editable) {
    const type = h('select', { id: 'tool-add-type', 'aria-label': 'Type of the new tool' },
      TYPES.map((t) => h('option', { value: t }, t)));
    const add = h('button', { type: 'button', class: 'secondary', id: 'tool-add' }, 'Add tool');
    add.addEventListener('click', () => {
      keep(box, list);
      box.state.tools.push(copy(STARTERS[type.value]));
      draw(box, list, editable);
      const cards = list.querySelectorAll('.tool-card');
      const first = cards.length ? cards[cards.length - 1].querySelector('input, textarea, select') : null;
      if (first) { first.focus(); }
    });
    box.append(h('div', { class: 'actions' }, type, add));
  }
  return box;
}

/**
 * Reads the section into result.body (tools, max_tool_steps) and adds [[path, message], …] to result.errors
 * for what cannot be sent (JSON that does not parse, a step count out of range).
 */
export function readTools(form, result) {
  const box = form.querySelector('#tools-section');
  const bad = (path, message) => result.errors.push([path, message]);
  const steps = Number(form.querySelector('[data-field="max_tool_steps"]').value);
  if (!Number.isInteger(steps) || steps < 1 || steps > 20) { bad('max_tool_steps', 'A whole number from 1 to 20'); }
  result.body.max_tool_steps = steps;
  result.body.tools = Array.from(box.querySelectorAll('.tool-card')).map((card, i) => readCard(card, i, bad));
  return result;
}

function copy(value) { return JSON.parse(JSON.stringify(value)); }

/** Keeps what was typed into the cards (without checking it) before the list is drawn again. */
function keep(box, list) {
  box.state.tools = Array.from(list.querySelectorAll('.tool-card')).map((card, i) => readCard(card, i, () => {}, true));
}

function draw(box, list, editable) {
  list.replaceChildren();
  if (!box.state.tools.length) { list.append(h('p', { class: 'muted', id: 'tools-none' }, 'No tools: the bot only answers.')); }
  box.state.tools.forEach((tool, i) => list.append(card(box, list, tool, i, editable)));
}

function card(box, list, tool, i, editable) {
  const known = ['http', 'bus', 'handoff', 'knowledge_search'].indexOf(tool.type) >= 0;
  const el = h('fieldset', { class: 'tool-card', id: 'tool-' + i, 'data-type': tool.type, 'data-index': String(i) },
    h('legend', null, (tool.name || 'New tool') + ' (' + tool.type + ')'));
  const grid = h('div', { class: 'grid' });
  if (known) { fields(grid, tool, i); } else { grid.append(asJson(i, tool)); }
  el.append(grid);
  const actions = h('div', { class: 'actions' });
  if (editable) {
    actions.append(h('button', { type: 'button', class: 'danger', id: 'tool-' + i + '-remove', on: { click: () => {
      keep(box, list);
      box.state.tools.splice(i, 1);
      draw(box, list, editable);
    } } }, 'Remove tool'));
  }
  if (editable && box.state.botId && tool.type !== 'handoff' && box.state.saved.indexOf(tool.name) >= 0) {
    tester(actions, box.state.botId, tool, i);
  }
  el.append(actions);
  return el;
}

function path(i, name) { return 'tools[' + i + ']' + (name ? '.' + name : ''); }

function id(i, name) { return 't-' + i + '-' + name.replace(/_/g, '-'); }

function text(i, name, label, value, hint, area) {
  const el = area ? h('textarea') : h('input', { type: 'text' });
  el.value = value == null ? '' : String(value);
  return labelled(id(i, name), path(i, name), label, el, hint);
}

function number(i, name, label, value, hint) {
  const el = h('input', { type: 'number', step: '1' });
  el.value = value == null ? '' : String(value);
  return labelled(id(i, name), path(i, name), label, el, hint);
}

function json(i, name, label, value, wide, hint) {
  const el = h('textarea', { class: 'json', spellcheck: false });
  // a string is text typed before the list was drawn again (it may not parse yet)
  el.value = typeof value === 'string' ? value : value == null
    || (typeof value === 'object' && !Object.keys(value).length && name !== 'parameters') ? '' : JSON.stringify(value, null, 2);
  const l = labelled(id(i, name), path(i, name), label, el, hint);
  if (wide) { l.classList.add('wide'); }
  return l;
}

/** A tool of a type this page has no form for (mcp): its JSON, at data-field tools[i] (errors inside it show there). */
function asJson(i, tool) {
  const el = h('textarea', { class: 'json', spellcheck: false });
  el.value = typeof tool.raw === 'string' ? tool.raw : JSON.stringify(tool, null, 2);
  const l = labelled(id(i, 'json'), path(i, ''), 'The tool as JSON (' + tool.type + ')', el,
    'Secret values are never shown: leave them out to keep the stored ones.');
  l.classList.add('wide');
  return l;
}

function fields(grid, tool, i) {
  const builtIn = tool.type === 'handoff' || tool.type === 'knowledge_search';
  grid.append(text(i, 'name', 'Name (letters, digits, _ or -)', tool.name, builtIn ? 'Empty: ' + tool.type : null),
    text(i, 'label', 'Label the visitor sees while it runs', tool.label, 'Empty: "Working on it…"'),
    number(i, 'timeout_ms', 'Timeout (ms)', tool.timeout_ms, '100–60000; empty: 10000'));
  grid.append(text(i, 'description', 'Description (what the model reads to decide)', tool.description, null, true));
  if (builtIn) { return; }
  grid.append(json(i, 'parameters', 'Parameters (JSON Schema of type object)', tool.parameters || EMPTY_SCHEMA, true));
  if (tool.type !== 'http') { return; }
  const method = h('select', null, METHODS.map((m) => h('option', { value: m }, m)));
  method.value = tool.method || 'GET';
  grid.append(labelled(id(i, 'method'), path(i, 'method'), 'Method', method),
    text(i, 'url', 'URL template', tool.url, '{param} placeholders in the path and query, percent-encoded'),
    number(i, 'max_response_bytes', 'Largest answer (bytes)', tool.max_response_bytes, '1–1048576; empty: 65536'),
    json(i, 'query', 'Query mapping (JSON: name → template)', tool.query, false, 'Empty: GET and DELETE send unused arguments'),
    json(i, 'body', 'Body template (JSON)', tool.body, false, 'Empty: POST, PUT and PATCH send the arguments'),
    json(i, 'headers', 'Headers (JSON: name → value)', tool.headers, false),
    secrets(tool, i));
}

/** Stored secret headers by hint (each with a new value or removed), and new ones: never a stored value. */
function secrets(tool, i) {
  const hints = tool.secret_headers_hint || {};
  const rows = h('div', { class: 'secret-rows' });
  (tool.secret_headers_set || []).forEach((name) => rows.append(secretRow(name, hints[name], i)));
  // a tool kept from the form before (keep) carries what was typed, in clear only in this page's memory
  Object.keys(tool.secret_headers || {}).forEach((name) => {
    if ((tool.secret_headers_set || []).indexOf(name) < 0 && tool.secret_headers[name] !== null) {
      rows.append(secretRow(name, null, i, tool.secret_headers[name]));
    }
  });
  rows.append(secretRow('', null, i));
  const area = h('div', { class: 'wide secret-headers', tabindex: '-1', id: id(i, 'secret_headers'), 'data-field': path(i, 'secret_headers'),
    'aria-describedby': id(i, 'secret_headers') + '-error' },
  h('span', { class: 'label' }, 'Secret headers (write-only: encrypted, never shown again)'), rows,
  h('span', { class: 'hint' }, 'A stored header keeps its value unless you type a new one; renaming the tool drops them.'),
  h('span', { class: 'field-error', id: id(i, 'secret_headers') + '-error', 'aria-live': 'polite' }));
  area.stored = tool.secret_headers_set || [];
  area.hints = hints;
  return area;
}

function secretRow(name, hint, i, typed) {
  const stored = hint !== null && hint !== undefined;
  const key = h('input', { type: 'text', class: 'secret-name', 'aria-label': 'Secret header name', placeholder: 'Header name' });
  key.value = name;
  if (stored) { key.readOnly = true; }
  const value = h('input', { type: 'password', class: 'secret-value', autocomplete: 'new-password', 'aria-label': 'Secret header value',
    placeholder: stored ? 'Stored: ' + hint + ' (leave empty to keep)' : 'Value' });
  if (typed) { value.value = typed; }
  const row = h('div', { class: 'secret-row', 'data-stored': stored ? 'true' : null }, key, value);
  if (stored) {
    row.append(h('span', { class: 'hint secret-hint' }, name + ': ' + hint),
      h('label', { class: 'check' }, h('input', { type: 'checkbox', class: 'secret-remove' }), 'Remove'));
  }
  return row;
}

function value(card, i, name) {
  const el = card.querySelector('[data-field="' + path(i, name) + '"]');
  return el ? el.value : undefined;
}

/** One card as the API takes it; loose: what was typed, kept as text where it does not parse. */
function readCard(card, i, bad, loose) {
  const type = card.dataset.type;
  if (['http', 'bus', 'handoff', 'knowledge_search'].indexOf(type) < 0) {
    const parsed = parse(value(card, i, ''), path(i, ''), bad, loose);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      if (!loose && parsed !== null) { bad(path(i, ''), 'Must be a JSON object'); }
      return loose ? { type: type, raw: value(card, i, '') } : { type: type };
    }
    // the hints of stored secrets are the admin's view, not settings
    delete parsed.secret_headers_set;
    delete parsed.secret_headers_hint;
    return parsed;
  }
  const tool = { type: type };
  const name = value(card, i, 'name').trim();
  if (name || type === 'http' || type === 'bus') { tool.name = name; }
  if (!loose && (type === 'http' || type === 'bus') && !/^[a-zA-Z0-9_-]{1,64}$/.test(name)) {
    bad(path(i, 'name'), '1 to 64 letters, digits, _ or -');
  }
  const label = value(card, i, 'label').trim();
  tool.label = label || null;
  const description = value(card, i, 'description');
  if (description.trim()) { tool.description = description; }
  wholeNumber(tool, card, i, 'timeout_ms', bad, loose);
  if (type === 'handoff' || type === 'knowledge_search') { return tool; }
  tool.parameters = parse(value(card, i, 'parameters'), path(i, 'parameters'), bad, loose);
  if (type === 'bus') { return tool; }
  tool.method = value(card, i, 'method');
  tool.url = value(card, i, 'url').trim();
  wholeNumber(tool, card, i, 'max_response_bytes', bad, loose);
  ['query', 'body', 'headers'].forEach((n) => {
    const v = parse(value(card, i, n), path(i, n), bad, loose);
    if (v !== null) { tool[n] = v; }
  });
  const patch = readSecrets(card, i, bad, loose);
  if (Object.keys(patch).length) { tool.secret_headers = patch; }
  if (loose) {
    const area = card.querySelector('.secret-headers');
    tool.secret_headers_set = area.stored;
    tool.secret_headers_hint = area.hints;
  }
  return tool;
}

function readSecrets(card, i, bad, loose) {
  const patch = {};
  card.querySelectorAll('.secret-row').forEach((row) => {
    const name = row.querySelector('.secret-name').value.trim();
    const secret = row.querySelector('.secret-value').value;
    const remove = row.querySelector('.secret-remove');
    if (remove && remove.checked) { patch[name] = null; return; }
    if (!secret) { return; }
    if (!name && !loose) { bad(path(i, 'secret_headers'), 'Give the secret header a name'); return; }
    if (name) { patch[name] = secret; }
  });
  return patch;
}

function wholeNumber(tool, card, i, name, bad, loose) {
  const raw = value(card, i, name).trim();
  if (!raw) { return; }
  const n = Number(raw);
  if (!Number.isInteger(n)) {
    if (!loose) { bad(path(i, name), 'Must be a whole number'); }
    return;
  }
  tool[name] = n;
}

/** A JSON text as a value; empty is null. */
function parse(raw, field, bad, loose) {
  if (!raw || !raw.trim()) { return null; }
  try {
    return JSON.parse(raw);
  } catch (e) {
    if (!loose) { bad(field, 'Not valid JSON: ' + e.message); }
    return loose ? raw : null;
  }
}

/** "Test this tool": sample arguments (from the schema) and one call of the saved tool, its result shown below. */
function tester(actions, botId, tool, i) {
  const args = h('textarea', { class: 'json', spellcheck: false });
  args.value = JSON.stringify(sample(tool.parameters), null, 2);
  const out = h('pre', { class: 'tool-result', id: 'tool-' + i + '-result', role: 'status', hidden: true });
  const run = h('button', { type: 'button', class: 'secondary', id: 'tool-' + i + '-test' }, 'Test this tool');
  run.addEventListener('click', () => {
    let parsed;
    try { parsed = JSON.parse(args.value || '{}'); } catch (e) {
      show(out, 'failed', 'The sample arguments are not valid JSON: ' + e.message);
      return;
    }
    run.disabled = true;
    show(out, 'running', 'Calling ' + tool.name + '…');
    const body = { arguments: parsed };
    if (inner) { body.mcp_tool = inner.value.trim(); }
    api('POST', botPath(botId) + '/tools/' + encodeURIComponent(tool.name) + '/test', body).then((r) => {
      show(out, r.status, (r.status === 'done' ? 'Done' : 'Failed (' + (r.error || 'error') + ')') + ' in ' + r.latency_ms +
        ' ms\n\n' + (r.content || ''));
    }, (e) => show(out, 'failed', errorText(e))).then(() => { run.disabled = false; });
  });
  // an mcp tool is a server of tools: the test names one of them, and the server's list can be read again
  const inner = tool.type === 'mcp' ? h('input', { type: 'text' }) : null;
  const refresh = tool.type === 'mcp' ? h('button', { type: 'button', class: 'secondary', id: 'tool-' + i + '-refresh',
    on: { click: () => api('POST', botPath(botId) + '/tools/' + encodeURIComponent(tool.name) + '/refresh', {}).then((r) =>
      show(out, 'done', 'The server lists: ' + (r.tools || []).map((t) => t.name + (t.allowed === false ? ' (not allowed)' : ''))
        .join(', ')), (e) => show(out, 'failed', errorText(e))) } }, 'Refresh the server\'s tools') : null;
  actions.append(h('div', { class: 'tool-test' },
    inner ? labelled('tool-' + i + '-mcp-tool', 'test.mcp_tool', 'The server\'s tool to test', inner) : null,
    labelled('tool-' + i + '-arguments', 'test.arguments', 'Sample arguments (JSON) for a test of the saved tool', args), run,
    refresh, out));
}

function show(out, status, message) {
  out.hidden = false;
  out.dataset.status = status;
  out.textContent = message;
}

/** Arguments that fit a schema's required properties, for a first try. */
function sample(schema) {
  const result = {};
  const props = (schema && schema.properties) || {};
  ((schema && schema.required) || []).forEach((name) => {
    const p = props[name] || {};
    const t = Array.isArray(p.type) ? p.type[0] : p.type;
    result[name] = p.enum ? p.enum[0] : t === 'number' || t === 'integer' ? 0 : t === 'boolean' ? false
      : t === 'array' ? [] : t === 'object' ? {} : '';
  });
  return result;
}
