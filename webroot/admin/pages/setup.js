/*
 * The first run: while no user exists (GET /api/setup: setup_open), the sign-in page offers to
 * create the owner account (POST /api/setup, which signs the owner in).
 */
import { api, forgetToken } from '../lib/api.js';
import { loadMe, MIN_PASSWORD, passwordProblem } from '../lib/auth.js';
import { h } from '../lib/dom.js';
import { clearErrors, clearFieldErrorsOnInput, errorBox, fieldError, labelled, showError, showFieldErrors } from '../lib/forms.js';

/** The set-up card; below the form, other (the admin token, folded away). */
export function setupForm(other) {
  const err = errorBox();
  const c = {
    email: h('input', { type: 'email', autocomplete: 'username' }),
    name: h('input', { type: 'text', autocomplete: 'name', maxlength: '100' }),
    password: h('input', { type: 'password', autocomplete: 'new-password' }),
    again: h('input', { type: 'password', autocomplete: 'new-password' })
  };
  const submit = h('button', { class: 'primary', type: 'submit' }, 'Create the owner account');
  const form = h('form', { id: 'setup-form', novalidate: true }, err,
    labelled('setup-email', 'email', 'Email address', c.email),
    labelled('setup-name', 'name', 'Name', c.name),
    labelled('setup-password', 'password', 'Password', c.password, 'At least ' + MIN_PASSWORD + ' characters.'),
    labelled('setup-again', 'again', 'Password again', c.again),
    h('div', { class: 'actions' }, submit));
  clearFieldErrorsOnInput(form);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    create(form, err, submit, c);
  });
  return h('section', { class: 'card signin' }, h('h1', null, 'Create the owner account'),
    h('p', { class: 'muted' }, 'Nobody has an account yet. The owner can do everything, and invites the others.'), form, other);
}

function create(form, err, submit, c) {
  clearErrors(form, err);
  const body = { email: c.email.value.trim(), name: c.name.value.trim(), password: c.password.value };
  const errors = [];
  if (!body.email) { errors.push(['email', 'Enter an email address']); }
  if (!body.name) { errors.push(['name', 'Enter a name']); }
  const problem = passwordProblem(body.password, c.again.value);
  if (problem) { errors.push([body.password.length < MIN_PASSWORD ? 'password' : 'again', problem]); }
  if (errors.length) { showFieldErrors(form, errors); return; }
  submit.disabled = true;
  forgetToken();
  api('POST', '/api/setup', body, true).then(loadMe).then(() => {
    location.hash = '#/bots';
  }, (e) => {
    submit.disabled = false;
    if (e.field) { fieldError(form, e.field, e.message); }
    showError(err, e);
  });
}
