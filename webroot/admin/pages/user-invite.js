/*
 * Inviting someone (POST /api/users): email, name, role and bot scope. The answer's invite_url is
 * shown once, to copy and send; the server keeps only its hash.
 */
import { api } from '../lib/api.js';
import { h, showOnce, toast } from '../lib/dom.js';
import { clearErrors, clearFieldErrorsOnInput, errorBox, fieldError, labelled, showError, showFieldErrors } from '../lib/forms.js';
import { roleSelect } from './roles.js';
import { scopeChooser } from './scope.js';

/** The invite form; onInvited() runs after each invitation (the page reads its user list again). */
export function inviteForm(bots, onInvited) {
  const err = errorBox();
  const scope = scopeChooser('invite', bots, null);
  const c = {
    email: h('input', { type: 'email', autocomplete: 'off' }),
    name: h('input', { type: 'text', autocomplete: 'off', maxlength: '100' }),
    role: roleSelect('editor', scope.forRole)
  };
  scope.forRole('editor');
  const link = h('div', { id: 'invite-link', hidden: true });
  const submit = h('button', { class: 'primary', type: 'submit' }, 'Invite');
  const form = h('form', { id: 'invite-user-form', novalidate: true }, err,
    h('div', { class: 'grid' }, labelled('invite-email', 'email', 'Email address', c.email),
      labelled('invite-name', 'name', 'Name', c.name), labelled('invite-role', 'role', 'Role', c.role), scope.el),
    h('div', { class: 'actions' }, submit));
  clearFieldErrorsOnInput(form);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    invite(form, err, submit, c, scope, link).then(onInvited, () => null);
  });
  return h('section', { class: 'card' }, h('h2', null, 'Invite someone'), link, form);
}

function invite(form, err, submit, c, scope, link) {
  clearErrors(form, err);
  const body = { email: c.email.value.trim(), name: c.name.value.trim(), role: c.role.value };
  const errors = [];
  if (!/^[^@\s]+@[^@\s]+$/.test(body.email)) { errors.push(['email', 'Enter an email address']); }
  if (!body.name) { errors.push(['name', 'Enter a name']); }
  if (errors.length) { showFieldErrors(form, errors); return Promise.reject(null); }
  if (!scope.el.hidden && scope.value()) { body.bot_ids = scope.value(); }
  submit.disabled = true;
  return api('POST', '/api/users', body).then((user) => {
    submit.disabled = false;
    form.reset();
    scope.forRole(c.role.value);
    showLink(link, user);
    toast('Invitation made');
  }, (e) => {
    submit.disabled = false;
    if (e.field) { fieldError(form, e.field, e.message); }
    showError(err, e);
    throw e;
  });
}

/** What became of the invite's e-mail (invite_mail), said to whoever invited. */
const MAIL = {
  sent: (to) => 'It was e-mailed to ' + to + '; you can also send it yourself.',
  off: (to) => 'Send this link to ' + to + ' (Parley has no mail server, so no e-mail went).',
  limited: (to) => 'Send this link to ' + to + ' (an invite was e-mailed to this address minutes ago, or many were ' +
    'this hour, so no e-mail went now).',
  failed: (to) => 'Send this link to ' + to + ' (the mail server refused the e-mail or did not answer).',
  unconfirmed: (to) => 'The mail server did not confirm the e-mail to ' + to + ' in time: it may still arrive; you can ' +
    'also send this link yourself.',
};

/** The invite link, once: who it is for, how long it works, a copy button. */
export function showLink(link, user) {
  const how = MAIL[user.invite_mail] ? MAIL[user.invite_mail](user.email) : 'Send this link to ' + user.email + '.';
  showOnce(link, how + ' It works once, within 72 hours, and is not shown again.',
    user.invite_url, { id: 'invite-url', copyId: 'copy-invite', label: 'Invite link' });
}
