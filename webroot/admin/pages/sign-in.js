/* The sign-in form: the admin token is checked against GET /api/bots before it is kept. */
import { api, forgetToken, setToken } from '../lib/api.js';
import { h, render } from '../lib/dom.js';
import { errorBox, showError } from '../lib/forms.js';

export function signIn() {
  const err = errorBox();
  const input = h('input', { type: 'password', id: 'token', name: 'token', autocomplete: 'current-password', required: true });
  const form = h('form', { class: 'card signin', on: { submit: (e) => {
    e.preventDefault();
    const value = input.value.trim();
    if (!value) { showError(err, { message: 'Enter the admin token.' }); return; }
    setToken(value);
    api('GET', '/api/bots', undefined, true).then(() => {
      location.hash = '#/bots';
    }, (e2) => {
      forgetToken();
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
