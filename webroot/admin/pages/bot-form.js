/*
 * A bot's settings form: creating a bot (then its Deploy tab) or saving its changes. A role that may
 * not change settings sees them read-only, without the buttons.
 */
import { api, botPath } from '../lib/api.js';
import { h, toast } from '../lib/dom.js';
import { clearErrors, clearFieldErrorsOnInput, errorBox, fieldError, showError, showFieldErrors } from '../lib/forms.js';
import { reroute } from '../lib/router.js';
import { can } from '../lib/session.js';
import { collect, control, FIELDS, NEW_BOT, SECTIONS } from './bot-fields.js';
import { removeBot } from './bots.js';
import { addHandoff, handoffSection } from './bot-handoff.js';
import { readTools, toolsSection } from './bot-tools.js';

/** The form of an existing bot, or of a new one when existing is null. */
export function botForm(existing) {
  const creating = !existing;
  const bot = existing || NEW_BOT;
  const err = errorBox();
  const form = h('form', { id: 'bot-form', novalidate: true });
  form.appendChild(err);
  SECTIONS.forEach((s) => {
    form.appendChild(h('h3', null, s[0]));
    const g = h('div', { class: 'grid' });
    FIELDS.slice(s[1], s[2]).forEach((f) => g.appendChild(control(f, bot)));
    form.appendChild(g);
  });
  handoffSection(bot).forEach((el) => form.appendChild(el));
  form.appendChild(toolsSection(bot, creating || can('bots.edit')));
  if (!creating && !can('bots.edit')) { return readOnly(form); }
  const save = h('button', { class: 'primary', type: 'submit', id: 'save' }, creating ? 'Create bot' : 'Save changes');
  form.appendChild(h('div', { class: 'actions' }, save, creating || !can('bots.delete') ? null
    : h('button', { type: 'button', class: 'danger', on: { click: () => removeBot(bot, err) } }, 'Delete bot')));
  clearFieldErrorsOnInput(form);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submit(form, err, save, creating ? null : bot);
  });
  return form;
}

/** The settings for reading: every control disabled, no buttons. */
function readOnly(form) {
  form.querySelectorAll('input, select, textarea').forEach((el) => { el.disabled = true; });
  form.insertBefore(h('p', { class: 'notice', id: 'read-only' }, 'Your role can read these settings; an editor can change them.'),
    form.firstChild);
  return form;
}

function submit(form, err, save, bot) {
  clearErrors(form, err);
  const result = readTools(form, collect(form));
  addHandoff(form, result);
  if (result.errors.length) {
    showError(err, { message: 'Please correct the highlighted fields.' });
    showFieldErrors(form, result.errors);
    return;
  }
  save.disabled = true;
  const req = bot ? api('PUT', botPath(bot.id), result.body) : api('POST', '/api/bots', result.body);
  req.then((saved) => {
    toast(bot ? 'Changes saved' : 'Bot created');
    location.hash = '#/bots/' + encodeURIComponent(saved.id) + (bot ? '' : '/deploy');
    if (bot) { reroute(); }
  }, (e2) => {
    save.disabled = false;
    if (e2.field) { fieldError(form, e2.field, e2.message); }
    showError(err, e2);
  });
}
