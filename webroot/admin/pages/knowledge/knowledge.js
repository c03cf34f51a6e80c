/*
 * A bot's Knowledge tab, put together from its parts: uploads (uploads.js), the document list with
 * its filters, pages, progress and polling (documents.js), the re-index notice (reindex.js), the
 * "add text" and "add URL" forms (add-forms.js) and the retrieval preview (preview.js). Names, errors
 * and passages from the API are inserted as text only (h() and textContent). A role that may not
 * change the knowledge base (a viewer) sees the list and the preview only.
 */
import { botPath } from '../../lib/api.js';
import { append, h } from '../../lib/dom.js';
import { can } from '../../lib/session.js';
import { addForms } from './add-forms.js';
import { DocumentList } from './documents.js';
import { retrievalPreview } from './preview.js';
import { Reindex } from './reindex.js';
import { Uploads } from './uploads.js';

let current = null;

/** Stops the polling (and late DOM updates) of the Knowledge tab on screen, if any. */
function stopKnowledge() {
  if (current) { current.stop(); current = null; }
}
window.addEventListener('hashchange', stopKnowledge);
// A file dropped next to the drop zone must not make the browser leave the dashboard.
['dragover', 'drop'].forEach((type) => {
  window.addEventListener(type, (e) => {
    if (e.dataTransfer && [].indexOf.call(e.dataTransfer.types || [], 'Files') >= 0) { e.preventDefault(); }
  });
});

export function knowledge(bot, box) {
  stopKnowledge();
  const path = botPath(bot.id);
  const rag = bot.rag || {};
  let reindex = null;
  const documents = new DocumentList(path, box, (res) => reindex.show(res));
  const refresh = () => documents.load();
  reindex = new Reindex(path, documents.errors, refresh);
  const uploads = new Uploads(path, refresh);
  current = documents;
  const off = rag.enabled === false ? h('p', { class: 'notice', id: 'rag-off' },
    'Answers of this bot do not use the knowledge base (Settings → "Use the knowledge base" is off). ' +
    'Documents can still be added and searched here.') : null;
  const edit = can('knowledge.edit');
  append(box, [
    h('h2', null, 'Knowledge base'), off, documents.live,
    edit ? [uploads.dropzone(), uploads.list, h('div', { class: 'actions upload-actions' }, uploads.clearDone)] : null,
    h('div', { class: 'actions' }, h('h3', null, 'Documents'), documents.summary),
    edit ? reindex.el : null, documents.errors, documents.view(),
    edit ? addForms(path, refresh) : null,
    h('h3', null, 'Retrieval preview'),
    h('p', { class: 'muted' }, 'What a chat turn would retrieve for a question, best first.'),
    retrievalPreview(path, rag)
  ]);
  documents.load();
}
