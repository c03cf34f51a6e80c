/*
 * The sign-in page: email and password (a cookie session), the SSO button when single sign-on is set
 * up (GET /api/auth/sso), the first owner's account while no user exists (GET /api/setup, setup.js),
 * and, folded away, the bootstrap admin token as before accounts existed.
 */
import { api } from '../lib/api.js';
import { passwordSignIn, tokenSignIn } from '../lib/auth.js';
import { h, render } from '../lib/dom.js';
import { errorBox, labelled, showError } from '../lib/forms.js';
import { setupForm } from './setup.js';

export function signIn() {
  const at = location.hash;
  render(h('p', { class: 'muted' }, 'Loading…'));
  api('GET', '/api/setup', undefined, true).then((res) => res && res.setup_open, () => false).then((open) => {
    if (location.hash !== at) { return; } // another page was opened meanwhile
    if (open) {
      render(setupForm(tokenForm()));
      document.getElementById('setup-email').focus();
    } else {
      signInForms();
    }
  });
}

function signInForms() {
  const sso = h('p', { class: 'sso', hidden: true });
  render(h('section', { class: 'card signin' }, h('h1', null, 'Sign in'), passwordForm(), sso, tokenForm()));
  document.getElementById('signin-email').focus();
  api('GET', '/api/auth/sso', undefined, true).then((res) => {
    const oidc = (res && res.oidc) || {};
    if (!oidc.enabled) { return; }
    sso.appendChild(h('a', { class: 'button', id: 'sso', href: oidc.login_url || '/auth/oidc/login' }, 'Sign in with SSO'));
    sso.hidden = false;
  }, () => null);
}

function passwordForm() {
  const err = errorBox();
  const email = h('input', { type: 'email', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { class: 'primary', type: 'submit' }, 'Sign in');
  return h('form', { id: 'signin-form', novalidate: true, on: { submit: (e) => {
    e.preventDefault();
    if (!email.value.trim() || !password.value) { showError(err, { message: 'Enter your email address and password.' }); return; }
    submit.disabled = true;
    passwordSignIn(email.value.trim(), password.value).then(() => { location.hash = '#/bots'; }, (e2) => {
      submit.disabled = false;
      password.value = '';
      showError(err, e2.status === 401 ? { message: 'Wrong email address or password.' } : e2);
    });
  } } }, err,
    labelled('signin-email', 'email', 'Email address', email),
    labelled('signin-password', 'password', 'Password', password),
    h('div', { class: 'actions' }, submit));
}

/** The bootstrap admin token (PARLEY_ADMIN_TOKEN or the printed one), checked against the server before it is kept. */
function tokenForm() {
  const err = errorBox();
  const input = h('input', { type: 'password', id: 'token', name: 'token', autocomplete: 'off' });
  const form = h('form', { id: 'token-form', on: { submit: (e) => {
    e.preventDefault();
    const value = input.value.trim();
    if (!value) { showError(err, { message: 'Enter the admin token.' }); return; }
    tokenSignIn(value).then(() => { location.hash = '#/bots'; },
      (e2) => showError(err, e2.status === 401 ? { message: 'That token is not valid.' } : e2));
  } } }, err,
    h('label', null, 'Admin token', input,
      h('span', { class: 'hint' }, 'PARLEY_ADMIN_TOKEN, or the token printed at first start.')),
    h('div', { class: 'actions' }, h('button', { class: 'secondary', type: 'submit' }, 'Sign in with the token')));
  return h('details', { id: 'use-token' }, h('summary', null, 'Use an admin token'), form);
}
