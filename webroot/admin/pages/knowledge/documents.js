/*
 * The document list of the Knowledge tab with each document's status and ingestion progress,
 * retry and delete. It is polled while a document is pending or processing, and not once stopped
 * (the tab was left). Rows are kept and updated in place, so a focused button keeps its focus. A role
 * that may not change the knowledge base gets no buttons.
 */
import { api } from '../../lib/api.js';
import { h, toast } from '../../lib/dom.js';
import { errorBox, showError } from '../../lib/forms.js';
import { can } from '../../lib/session.js';
import { fillRow, makeRow } from './document-row.js';

const POLL_MS = 1000;

export class DocumentList {
  /** path: the bot's API path; box: the tab (no update once it left the page); onIndex: gets each list answer. */
  constructor(path, box, onIndex) {
    this.path = path;
    this.box = box;
    this.onIndex = onIndex;
    this.errors = errorBox();
    this.tbody = h('tbody');
    this.empty = h('p', { class: 'muted', id: 'documents-empty', hidden: true },
      'No documents yet.' + (can('knowledge.edit') ? ' Add files, text or a web page above.' : ''));
    this.summary = h('span', { class: 'muted', id: 'documents-summary' });
    this.live = h('p', { class: 'visually-hidden', id: 'kb-live', 'aria-live': 'polite' });
    this.actions = can('knowledge.edit') ? { retry: (row, button) => this.retry(row, button),
      remove: (row, button) => this.remove(row, button) } : null;
    this.rows = {};
    this.timer = 0;
    this.inflight = false;
    this.again = false;
    this.stopped = false;
  }

  table() {
    return h('table', { id: 'documents' }, h('thead', null, h('tr', null, h('th', null, 'Name'), h('th', null, 'Type'),
      h('th', null, 'Status'), h('th', null, 'Added'), h('th', null, ''))), this.tbody);
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Reads the list (once more after the request in flight, if one is), then again while something is busy. */
  load() {
    if (this.stopped) { return; }
    if (this.inflight) { this.again = true; return; }
    this.inflight = true;
    clearTimeout(this.timer);
    api('GET', this.path + '/documents').then((res) => {
      this.inflight = false;
      if (this.stopped || !this.box.isConnected) { return; }
      this.errors.hidden = true;
      this.onIndex(res);
      const busy = this.show((res && res.documents) || []);
      if (this.again) { this.again = false; this.load(); } else if (busy) { this.timer = setTimeout(() => this.load(), POLL_MS); }
    }, (e) => {
      this.inflight = false;
      if (this.stopped || !this.box.isConnected) { return; }
      showError(this.errors, e);
      this.again = false;
      if (e.status !== 401) { this.timer = setTimeout(() => this.load(), POLL_MS * 5); }
    });
  }

  /** Puts the rows in the order of docs; true while a document is pending or processing. */
  show(docs) {
    const seen = {};
    docs.forEach((doc, i) => {
      seen[doc.id] = true;
      const row = this.rows[doc.id] || (this.rows[doc.id] = makeRow(doc, this.actions));
      this.fill(row, doc);
      // Moves only rows out of place, so a focused button keeps its focus.
      if (this.tbody.children[i] !== row) { this.tbody.insertBefore(row, this.tbody.children[i] || null); }
    });
    Object.keys(this.rows).forEach((id) => {
      if (!seen[id]) { this.rows[id].remove(); delete this.rows[id]; }
    });
    this.empty.hidden = docs.length > 0;
    const count = (s) => docs.filter((d) => d.status === s).length;
    const busy = count('pending') + count('processing');
    this.summary.textContent = docs.length ? docs.length + (docs.length === 1 ? ' document' : ' documents') + ': ' + count('ready') + ' ready' +
      (busy ? ', ' + busy + ' in progress' : '') + (count('failed') ? ', ' + count('failed') + ' failed' : '') : '';
    return busy > 0;
  }

  retry(row, button) {
    button.disabled = true;
    api('POST', this.documentPath(row) + '/retry').then((d) => {
      button.disabled = false;
      this.errors.hidden = true;
      if (d && d.id) { this.fill(row, d); }
      toast('Queued again');
      this.load();
    }, (e) => { button.disabled = false; showError(this.errors, e); });
  }

  remove(row, button) {
    if (!confirm('Delete "' + row.doc.name + '" from the knowledge base? Its passages will no longer be used in answers.')) { return; }
    button.disabled = true;
    api('DELETE', this.documentPath(row)).then(() => {
      delete this.rows[row.doc.id];
      row.remove();
      toast('Document deleted');
      this.load();
    }, (e) => {
      button.disabled = false;
      if (e.status === 404) { this.load(); }
      showError(this.errors, e);
    });
  }

  documentPath(row) {
    return this.path + '/documents/' + encodeURIComponent(row.doc.id);
  }

  fill(row, doc) {
    const announce = fillRow(row, doc);
    if (announce) { this.live.textContent = announce; }
  }
}
