/*
 * Form helpers: an error box per form, field errors wired through data-field and
 * aria-describedby ({id}-error), and labelled controls.
 */
import { h } from './dom.js';

export function errorBox() { return h('div', { class: 'error', role: 'alert', hidden: true }); }

/** An ApiError (or {message}) as one line of text: the message, then the code when the server sent one. */
export function errorText(err) {
  return err.message + (err.code && err.status ? ' (' + err.code + ')' : '');
}

export function showError(box, err) {
  box.textContent = errorText(err);
  box.hidden = false;
}

/**
 * Marks the control of path invalid with a message, or the control of its nearest enclosing path when the form has
 * none for path itself (tools[0].parameters.properties.x.pattern shows at tools[0].parameters); false when neither.
 */
export function fieldError(form, path, message) {
  let el = null;
  for (let p = path; p && !el;) {
    el = form.querySelector('[data-field="' + CSS.escape(p) + '"]');
    const shorter = p.replace(/(\.[^.[\]]*|\[\d+\])$/, '');
    if (shorter === p) { break; }
    p = shorter;
  }
  if (!el) { return false; }
  el.setAttribute('aria-invalid', 'true');
  document.getElementById(el.id + '-error').textContent = message;
  return true;
}

/** Shows [[path, message], …] on their fields and focuses the first invalid one. */
export function showFieldErrors(form, errors) {
  errors.forEach((x) => fieldError(form, x[0], x[1]));
  const first = form.querySelector('[aria-invalid="true"]');
  if (first) { first.focus(); }
}

export function clearErrors(form, box) {
  box.hidden = true;
  form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
  form.querySelectorAll('.field-error').forEach((el) => { el.textContent = ''; });
}

/** Typing in a field clears its error. */
export function clearFieldErrorsOnInput(form) {
  form.addEventListener('input', (e) => {
    if (e.target.dataset && e.target.dataset.field) {
      e.target.removeAttribute('aria-invalid');
      const m = document.getElementById(e.target.id + '-error');
      if (m) { m.textContent = ''; }
    }
  });
}

/** A labelled control wired to fieldError() through data-field. */
export function labelled(id, field, label, el, hint) {
  el.id = id;
  el.dataset.field = field;
  el.setAttribute('aria-describedby', id + '-error');
  return h('label', { for: id, class: el.tagName === 'TEXTAREA' ? 'wide' : null }, label, el,
    hint ? h('span', { class: 'hint' }, hint) : null,
    h('span', { class: 'field-error', id: id + '-error', 'aria-live': 'polite' }));
}
