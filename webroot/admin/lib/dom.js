/*
 * DOM helpers of the admin dashboard. Every string from the API goes into the DOM as text:
 * h() never parses HTML.
 */
const NS = 'http://www.w3.org/2000/svg';

/** An element with attributes ({on: {event: listener}}, class, properties, attributes) and children. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  Object.keys(attrs || {}).forEach((k) => setAttribute(el, k, attrs[k]));
  children.forEach((child) => append(el, child));
  return el;
}

function setAttribute(el, k, v) {
  if (v === null || v === undefined || v === false) { return; }
  if (k === 'on') {
    Object.keys(v).forEach((ev) => el.addEventListener(ev, v[ev]));
  } else if (k === 'class') {
    el.className = v;
  } else if (k in el && typeof v !== 'string') {
    el[k] = v;
  } else {
    el.setAttribute(k, v === true ? '' : String(v));
  }
}

/** Appends a node, a text (as text) or an array of them; null, undefined and false are skipped. */
export function append(el, child) {
  if (child === null || child === undefined || child === false) { return; }
  if (Array.isArray(child)) { child.forEach((c) => append(el, c)); return; }
  el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
}

export function svg(tag, attrs) {
  const el = document.createElementNS(NS, tag);
  Object.keys(attrs || {}).forEach((k) => el.setAttribute(k, String(attrs[k])));
  return el;
}

/** Replaces the main view with the given parts. */
export function render(...parts) {
  const view = document.getElementById('view');
  view.replaceChildren();
  parts.forEach((p) => append(view, p));
  view.focus({ preventScroll: true });
}

let toastTimer = 0;
export function toast(text) {
  const t = document.getElementById('toast');
  t.textContent = text;
  t.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => t.classList.remove('show'), 2500);
}

export function when(ms) { return ms ? new Date(ms).toLocaleString() : '—'; }

export function copyText(text, button) {
  const done = () => {
    const old = button.textContent;
    button.textContent = 'Copied';
    toast('Copied to the clipboard');
    setTimeout(() => { button.textContent = old; }, 2000);
  };
  const fallback = () => {
    const area = h('textarea', { class: 'offscreen', readonly: true });
    area.value = text;
    document.body.appendChild(area);
    area.select();
    try { document.execCommand('copy'); } catch (e) { /* the text stays selectable */ }
    area.remove();
    done();
  };
  if (navigator.clipboard && navigator.clipboard.writeText) {
    navigator.clipboard.writeText(text).then(done, fallback);
  } else {
    fallback();
  }
}

/**
 * Shows a secret the server hands out once (an invite link, an API token) in box: a notice, the value
 * selected in a read-only field ({id}) and a copy button ({copyId}).
 */
export function showOnce(box, notice, value, ids) {
  const field = h('input', { id: ids.id, readonly: true, 'aria-label': ids.label });
  field.value = value;
  const copy = h('button', { type: 'button', class: 'secondary', id: ids.copyId }, 'Copy');
  copy.addEventListener('click', () => copyText(field.value, copy));
  box.replaceChildren(h('p', { class: 'notice' }, notice), h('div', { class: 'code' }, field, copy));
  box.hidden = false;
  field.focus();
  field.select();
}
