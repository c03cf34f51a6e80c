/*
 * Accepting an invitation (#/invite/{token}, the invite_url of POST /api/users): the invited person
 * sets a password, then is signed in with it. The token stays in the location hash, which the
 * browser never sends to a server.
 */
import { api, forgetToken } from '../lib/api.js';
import { MIN_PASSWORD, passwordProblem, passwordSignIn } from '../lib/auth.js';
import { h, render } from '../lib/dom.js';
import { clearErrors, clearFieldErrorsOnInput, errorBox, labelled, showError, showFieldErrors } from '../lib/forms.js';
import { forgetMe } from '../lib/session.js';

export function invitePage(inviteToken) {
  forgetToken();
  forgetMe();
  const err = errorBox();
  const password = h('input', { type: 'password', autocomplete: 'new-password' });
  const again = h('input', { type: 'password', autocomplete: 'new-password' });
  const submit = h('button', { class: 'primary', type: 'submit' }, 'Set the password and sign in');
  const form = h('form', { id: 'invite-form', class: 'card signin', novalidate: true },
    h('h1', null, 'Welcome to Parley'),
    h('p', { class: 'muted', id: 'invite-who' }, 'Choose a password for your account.'), err,
    labelled('invite-password', 'password', 'New password', password, 'At least ' + MIN_PASSWORD + ' characters.'),
    labelled('invite-again', 'again', 'New password again', again),
    h('div', { class: 'actions' }, submit));
  clearFieldErrorsOnInput(form);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearErrors(form, err);
    const problem = passwordProblem(password.value, again.value);
    if (problem) { showFieldErrors(form, [[password.value.length < MIN_PASSWORD ? 'password' : 'again', problem]]); return; }
    submit.disabled = true;
    accept(inviteToken, password.value).then(() => { location.hash = '#/bots'; }, (e2) => {
      submit.disabled = false;
      showError(err, e2);
    });
  });
  render(form);
  password.focus();
}

/** Sets the password through the invitation, then signs in with the account's email address and that password. */
function accept(inviteToken, password) {
  return api('POST', '/api/invites/' + encodeURIComponent(inviteToken), { password: password }, true)
    .then((res) => passwordSignIn(res.user.email, password));
}
