/*
 * The API tokens page (everyone, for their own tokens): the list, making one (its value shown once,
 * to copy; the server keeps only a hash) and revoking one. A token acts with its owner's role and bots.
 */
import { api, latestOnly } from '../lib/api.js';
import { h, render, showOnce, toast, when } from '../lib/dom.js';
import { clearErrors, errorBox, fieldError, labelled, showError, showFieldErrors } from '../lib/forms.js';
import { me } from '../lib/session.js';

export function tokensPage() {
  const err = errorBox();
  if (!me().user_id) {
    render(h('section', { class: 'card' }, h('h1', null, 'API tokens'), h('p', { class: 'notice', id: 'tokens-bootstrap' },
      'API tokens belong to a person\'s account and act with its role. You are signed in with the admin token: ' +
      'sign in with an account to make tokens.')));
    return;
  }
  const body = h('tbody');
  const shown = h('div', { id: 'new-token', hidden: true });
  const read = latestOnly(() => api('GET', '/api/tokens'));
  const load = () => read().then((res) => {
    const list = res.tokens || [];
    body.replaceChildren(...list.map((t) => tokenRow(t, err, load)));
    if (!list.length) { body.appendChild(h('tr', null, h('td', { colspan: 5, class: 'muted' }, 'No tokens yet.'))); }
  }, (e) => showError(err, e));
  render(h('section', { class: 'card' }, h('h1', null, 'API tokens'),
    h('p', { class: 'muted' }, 'For scripts: send one as "Authorization: Bearer …". It can do what you can, on your bots.'),
    err, shown, h('table', { id: 'tokens' }, h('thead', null, h('tr', null, h('th', null, 'Name'), h('th', null, 'Created'),
      h('th', null, 'Expires'), h('th', null, 'Last used'), h('th', null, ''))), body)),
  h('section', { class: 'card' }, h('h2', null, 'New token'), newTokenForm(shown, load)));
  load();
}

function tokenRow(t, err, load) {
  const revoke = h('button', { type: 'button', class: 'danger revoke' }, 'Revoke');
  revoke.addEventListener('click', () => {
    if (!confirm('Revoke the token "' + t.name + '"? Scripts using it stop working at once.')) { return; }
    revoke.disabled = true;
    api('DELETE', '/api/tokens/' + encodeURIComponent(t.id)).then(() => { toast('Token revoked'); load(); },
      (e) => { revoke.disabled = false; showError(err, e); });
  });
  return h('tr', { 'data-token-id': t.id }, h('td', null, t.name, t.hint ? h('span', { class: 'muted' }, ' ' + t.hint) : null),
    h('td', null, when(t.created_at)),
    h('td', null, t.expires_at ? when(t.expires_at) : 'never'), h('td', null, when(t.last_used_at)), h('td', null, revoke));
}

function newTokenForm(shown, load) {
  const err = errorBox();
  const name = h('input', { type: 'text', maxlength: '100', autocomplete: 'off' });
  const days = h('input', { type: 'number', min: '1', max: '3650', step: '1', value: '90' });
  const submit = h('button', { class: 'primary', type: 'submit' }, 'Make token');
  const form = h('form', { id: 'token-new-form', novalidate: true }, err, h('div', { class: 'grid' },
    labelled('token-name', 'name', 'Name', name, 'What it is for, e.g. "nightly export".'),
    labelled('token-days', 'expires_in_days', 'Expires after (days)', days, 'Empty: never.')),
    h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearErrors(form, err);
    const body = { name: name.value.trim() };
    if (!body.name) { showFieldErrors(form, [['name', 'Enter a name']]); return; }
    if (days.value) { body.expires_in_days = Number(days.value); }
    submit.disabled = true;
    api('POST', '/api/tokens', body).then((t) => {
      submit.disabled = false;
      form.reset();
      showToken(shown, t);
      load();
    }, (e2) => { submit.disabled = false; if (e2.field) { fieldError(form, e2.field, e2.message); } showError(err, e2); });
  });
  return form;
}

/** The new token's value, once, with a copy button. */
function showToken(shown, t) {
  showOnce(shown, 'The token "' + t.name + '": copy it now, it is not shown again.', t.token,
    { id: 'token-value', copyId: 'copy-token', label: 'The new token' });
}
