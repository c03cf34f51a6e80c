/* The "Add text" and "Add a web page" forms of the Knowledge tab (URL ingestion is queued by the server). */
import { api } from '../../lib/api.js';
import { h, toast } from '../../lib/dom.js';
import { clearErrors, clearFieldErrorsOnInput, errorBox, fieldError, labelled, showError, showFieldErrors } from '../../lib/forms.js';
import { fileSize, MAX_BYTES } from './files.js';

/** Both forms; path: the bot's API path; refresh: reads the document list again. */
export function addForms(path, refresh) {
  const target = { path: path, refresh: refresh };
  return h('div', { class: 'kb-forms' }, textForm(target), urlForm(target));
}

function textForm(target) {
  const name = h('input', { type: 'text', maxlength: '200', autocomplete: 'off' });
  const body = h('textarea', { rows: 5 });
  return smallForm(target, {
    id: 'kb-text-form', title: 'Add text', submit: 'Add text', done: 'Text added',
    controls: [
      labelled('kb-text-name', 'name', 'Title', name),
      labelled('kb-text-body', 'text', 'Text (Markdown headings become passage headings)', body)
    ],
    read: () => {
      const errors = [];
      const title = name.value.trim();
      if (!title) { errors.push(['name', 'A title is required']); }
      if (title.length > 200) { errors.push(['name', 'At most 200 characters']); }
      if (!body.value.trim()) { errors.push(['text', 'Enter some text']); }
      if (body.value.length > MAX_BYTES) { errors.push(['text', 'Too long: at most ' + fileSize(MAX_BYTES)]); }
      return { errors: errors, body: { name: title, text: body.value } };
    }
  });
}

function urlForm(target) {
  const url = h('input', { type: 'url', placeholder: 'https://example.com/help', autocomplete: 'off' });
  const name = h('input', { type: 'text', maxlength: '200', autocomplete: 'off' });
  return smallForm(target, {
    id: 'kb-url-form', title: 'Add a web page', submit: 'Add URL', done: 'Page queued',
    controls: [
      labelled('kb-url', 'url', 'URL', url),
      labelled('kb-url-name', 'name', 'Title (optional)', name, 'Empty: the page\'s address')
    ],
    read: () => {
      const errors = [];
      const address = url.value.trim();
      if (!address) { errors.push(['url', 'Enter the address of a page']); }
      else if (!/^https?:\/\/[^\s\/?#]+[^\s]*$/i.test(address)) { errors.push(['url', 'Must be an http or https URL']); }
      else if (address.length > 2000) { errors.push(['url', 'At most 2000 characters']); }
      const body = { url: address };
      if (name.value.trim()) { body.name = name.value.trim(); }
      return { errors: errors, body: body };
    }
  });
}

/** A form that POSTs spec.read().body as a document; spec: {id, title, controls, submit, done, read}. */
function smallForm(target, spec) {
  const err = errorBox();
  const submit = h('button', { type: 'submit', class: 'primary' }, spec.submit);
  const form = h('form', { id: spec.id, class: 'kb-form', novalidate: true }, h('h3', null, spec.title), err,
    h('div', { class: 'grid' }, spec.controls), h('div', { class: 'actions' }, submit));
  clearFieldErrorsOnInput(form);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearErrors(form, err);
    const r = spec.read();
    if (r.errors.length) { showFieldErrors(form, r.errors); return; }
    submit.disabled = true;
    api('POST', target.path + '/documents', r.body).then(() => {
      submit.disabled = false;
      form.reset();
      toast(spec.done);
      target.refresh();
    }, (e2) => {
      submit.disabled = false;
      if (e2.field) { fieldError(form, e2.field, e2.message); }
      else if (/^url_/.test(e2.code)) { fieldError(form, 'url', e2.message); }
      showError(err, e2);
    });
  });
  return form;
}
