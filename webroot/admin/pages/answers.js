/*
 * A bot's Answers tab (stored answers, docs/answers.md): the list with edit and delete, the add form, CSV import and
 * export; and "Correct this answer" under a bot message of a transcript, which opens the add form with the visitor's
 * question filled in.
 */
import { api, authHeaders, botPath, ApiError } from '../lib/api.js';
import { append, h, toast, when } from '../lib/dom.js';
import { clearErrors, clearFieldErrorsOnInput, errorBox, fieldError, labelled, showError, showFieldErrors } from '../lib/forms.js';
import { can } from '../lib/session.js';

export function answers(bot, box, err) {
  const body = h('tbody');
  const count = h('p', { class: 'muted', id: 'answers-count' });
  const refresh = () => load(bot, body, count, err, refresh);
  const editable = can('knowledge.edit');
  append(box, [h('h2', null, 'Answers'),
    h('p', { class: 'muted' }, 'A visitor question that means the same as a stored question gets its answer as written, ' +
      'without a model (or, in the bot\'s "context" mode, as the model\'s first passage).'),
    can('bots.edit') ? settingsForm(bot) : null, editable ? answerForm(bot, {}, refresh) : null,
    csvTools(bot, refresh, editable), count,
    h('table', { id: 'answers' }, h('thead', null, h('tr', null, h('th', null, 'Question'), h('th', null, 'Answer'),
      h('th', null, 'Updated'), h('th', null, ''))), body)]);
  refresh();
}

/** The bot's answers settings: mode (direct or context) and threshold, saved with PUT /api/bots/{id}. */
function settingsForm(bot) {
  const current = bot.answers || { mode: 'direct', threshold: 0.82 };
  const mode = h('select', null, h('option', { value: 'direct' }, 'Give the stored answer as written (no model)'),
    h('option', { value: 'context' }, 'Give it to the model as its first passage'));
  mode.value = current.mode;
  const threshold = h('input', { type: 'number', min: '0', max: '1', step: '0.01', value: String(current.threshold) });
  const err = errorBox();
  const form = h('form', { id: 'answers-settings', class: 'answer-form', novalidate: true }, h('h3', null, 'When a question matches'),
    err, h('div', { class: 'grid' }, labelled('answers-mode', 'answers.mode', 'Mode', mode),
      labelled('answers-threshold', 'answers.threshold', 'Threshold (0–1, cosine)', threshold, 'Higher: fewer, surer matches')),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearErrors(form, err);
    const value = Number(threshold.value);
    if (threshold.value === '' || !(value >= 0 && value <= 1)) { showFieldErrors(form, [['answers.threshold', 'A number from 0 to 1']]); return; }
    api('PUT', botPath(bot.id), { answers: { mode: mode.value, threshold: value } }).then(() => toast('Answers settings saved'),
      (e2) => { if (e2.field) { fieldError(form, e2.field, e2.message); } showError(err, e2); });
  });
  return form;
}

function load(bot, body, count, err, refresh) {
  api('GET', botPath(bot.id) + '/answers').then((page) => {
    body.textContent = '';
    const list = page.answers || [];
    count.textContent = list.length + ' of at most ' + page.max_answers + ' answers.';
    if (!list.length) { body.appendChild(h('tr', null, h('td', { colspan: 4, class: 'muted' }, 'No stored answers yet.'))); }
    list.forEach((a) => body.appendChild(row(bot, a, refresh)));
  }, (e) => showError(err, e));
}

function row(bot, a, refresh) {
  const alts = (a.alt_questions || []).length ? h('div', { class: 'meta' }, 'Also: ' + a.alt_questions.join(' | ')) : null;
  const tr = h('tr', { 'data-answer-id': a.id }, h('td', null, a.question, alts), h('td', null, a.answer),
    h('td', null, when(a.updated_at)), h('td', null));
  if (can('knowledge.edit')) {
    const edit = h('button', { type: 'button', class: 'answer-edit' }, 'Edit');
    const del = h('button', { type: 'button', class: 'danger answer-delete' }, 'Delete');
    edit.addEventListener('click', () => {
      tr.replaceWith(h('tr', null, h('td', { colspan: 4 }, answerForm(bot, a, refresh))));
    });
    del.addEventListener('click', () => {
      if (!confirm('Delete the stored answer to "' + a.question + '"?')) { return; }
      api('DELETE', botPath(bot.id) + '/answers/' + encodeURIComponent(a.id)).then(() => { toast('Answer deleted'); refresh(); },
        (e) => toast(e.message));
    });
    tr.lastChild.append(edit, ' ', del);
  }
  return tr;
}

/** The add form (or, for a stored answer with an id, its edit form); initial: {question, answer, alt_questions}. */
export function answerForm(bot, initial, done) {
  const question = h('input', { type: 'text', maxlength: '500', autocomplete: 'off', value: initial.question || '' });
  const alts = h('textarea', { rows: 2 });
  alts.value = (initial.alt_questions || []).join('\n');
  const text = h('textarea', { rows: 4 });
  text.value = initial.answer || '';
  const err = errorBox();
  const submit = h('button', { type: 'submit', class: 'primary' }, initial.id ? 'Save answer' : 'Add answer');
  const form = h('form', { class: 'answer-form', id: initial.id ? 'answer-edit-form' : 'answer-form', novalidate: true },
    h('h3', null, initial.id ? 'Edit answer' : 'Add an answer'), err, h('div', { class: 'grid' },
      labelled('answer-question-' + (initial.id || 'new'), 'question', 'Question', question),
      labelled('answer-alts-' + (initial.id || 'new'), 'alt_questions', 'Other ways to ask it (one a line)', alts),
      labelled('answer-text-' + (initial.id || 'new'), 'answer', 'Answer', text)), h('div', { class: 'actions' }, submit));
  clearFieldErrorsOnInput(form);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearErrors(form, err);
    const entry = { question: question.value.trim(), answer: text.value.trim(),
      alt_questions: alts.value.split('\n').map((s) => s.trim()).filter((s) => s) };
    const errors = [];
    if (!entry.question) { errors.push(['question', 'Enter the question']); }
    if (!entry.answer) { errors.push(['answer', 'Enter the answer']); }
    if (errors.length) { showFieldErrors(form, errors); return; }
    submit.disabled = true;
    const path = botPath(bot.id) + '/answers' + (initial.id ? '/' + encodeURIComponent(initial.id) : '');
    api(initial.id ? 'PUT' : 'POST', path, entry).then((saved) => {
      submit.disabled = false;
      toast(initial.id ? 'Answer saved' : 'Answer added');
      if (!initial.id) { form.reset(); question.value = ''; text.value = ''; alts.value = ''; }
      done(saved);
    }, (e2) => {
      submit.disabled = false;
      if (e2.field) { fieldError(form, e2.field, e2.message); }
      showError(err, e2);
    });
  });
  return form;
}

function csvTools(bot, refresh, editable) {
  const exportLink = h('button', { type: 'button', id: 'answers-export' }, 'Export CSV');
  exportLink.addEventListener('click', () => download(bot));
  if (!editable) { return h('div', { class: 'actions' }, exportLink); }
  const file = h('input', { type: 'file', accept: '.csv,text/csv', id: 'answers-import-file' });
  const err = errorBox();
  file.addEventListener('change', () => {
    if (!file.files.length) { return; }
    file.files[0].text().then((csv) => send(bot, csv)).then((r) => {
      toast('Imported: ' + r.created + ' added, ' + r.updated + ' updated');
      file.value = '';
      refresh();
    }, (e) => { file.value = ''; showError(err, e); });
  });
  return h('div', { class: 'actions' }, exportLink, h('label', { for: 'answers-import-file' }, 'Import CSV ', file), err);
}

function send(bot, csv) {
  const headers = authHeaders('POST');
  headers['Content-Type'] = 'text/csv';
  return fetch(botPath(bot.id) + '/answers/import', { method: 'POST', headers: headers, body: csv, credentials: 'same-origin' })
    .then((r) => r.json().catch(() => null).then((json) => { if (!r.ok) { throw new ApiError(r.status, json); } return json; }));
}

function download(bot) {
  fetch(botPath(bot.id) + '/answers/export', { headers: authHeaders('GET'), credentials: 'same-origin' })
    .then((r) => r.ok ? r.blob() : Promise.reject(new ApiError(r.status, null)))
    .then((blob) => {
      const a = h('a', { href: URL.createObjectURL(blob), download: 'answers-' + bot.id + '.csv' });
      document.body.appendChild(a);
      a.click();
      a.remove();
    }, (e) => toast(e.message));
}

/** Under a bot message of a transcript: "Correct this answer", opening the add form with the visitor's question. */
export function correctable(bot, el, question, answer) {
  if (!can('knowledge.edit') || !question) { return; }
  const button = h('button', { type: 'button', class: 'correct-answer' }, 'Correct this answer');
  button.addEventListener('click', () => {
    button.replaceWith(answerForm(bot, { question: question, answer: answer }, () => toast('Stored: the bot now gives this answer')));
  });
  el.appendChild(button);
}
