/*
 * The document list of the Knowledge tab with each document's status and ingestion progress,
 * retry and delete. It is polled while a document is pending or processing, and not once stopped
 * (the tab was left). Rows are kept and updated in place, so a focused button keeps its focus. A role
 * that may not change the knowledge base gets no buttons.
 */
import { api } from '../../lib/api.js';
import { h, toast, when } from '../../lib/dom.js';
import { errorBox, showError } from '../../lib/forms.js';
import { can } from '../../lib/session.js';
import { fileSize, fileType } from './files.js';

const POLL_MS = 1000;
const STATUS = { pending: 'Waiting', processing: 'Processing', ready: 'Ready', failed: 'Failed' };

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
      const row = this.rows[doc.id] || (this.rows[doc.id] = this.makeRow(doc));
      this.fillRow(row, doc);
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

  makeRow(doc) {
    const row = h('tr', { 'data-doc-id': doc.id }, h('td', { class: 'name' }), h('td', { class: 'kind' }),
      h('td', { class: 'status' }), h('td', { class: 'added' }), h('td', { class: 'doc-actions' }));
    row.doc = doc;
    if (!can('knowledge.edit')) { return row; }
    const retry = h('button', { type: 'button', class: 'secondary retry', hidden: true }, 'Retry');
    const del = h('button', { type: 'button', class: 'danger delete' }, 'Delete');
    row.cells[4].append(retry, ' ', del);
    retry.addEventListener('click', () => this.retry(row, retry));
    del.addEventListener('click', () => this.remove(row, del));
    return row;
  }

  retry(row, button) {
    button.disabled = true;
    api('POST', this.documentPath(row) + '/retry').then((d) => {
      button.disabled = false;
      this.errors.hidden = true;
      if (d && d.id) { this.fillRow(row, d); }
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

  fillRow(row, doc) {
    const before = row.doc;
    row.doc = doc;
    row.setAttribute('data-status', doc.status);
    // Cells are rebuilt only when what they show changed: no churn for screen readers or tests.
    const sigs = [doc.name + '\n' + doc.url, [doc.status, doc.chunks_done, doc.chunks_total, doc.error].join('\n')];
    if (row.sigs === undefined || row.sigs[0] !== sigs[0]) { row.cells[0].replaceChildren(...nameCell(doc)); }
    if (row.sigs === undefined || row.sigs[1] !== sigs[1]) { row.cells[2].replaceChildren(...statusCell(doc)); }
    row.sigs = sigs;
    const kind = kindText(doc), added = when(doc.created_at);
    if (row.cells[1].textContent !== kind) { row.cells[1].textContent = kind; }
    if (row.cells[3].textContent !== added) { row.cells[3].textContent = added; }
    const retry = row.querySelector('.retry');
    if (retry) { retry.hidden = doc.status !== 'failed'; }
    if (before && before.status !== doc.status && (doc.status === 'ready' || doc.status === 'failed')) {
      this.live.textContent = doc.name + ': ' + STATUS[doc.status] + (doc.status === 'failed' && doc.error ? ', ' + doc.error : '');
    }
  }
}

function statusCell(doc) {
  const cell = [h('span', { class: 'badge badge-' + (STATUS[doc.status] ? doc.status : 'pending') }, STATUS[doc.status] || String(doc.status))];
  const total = Number(doc.chunks_total) || 0, done = Number(doc.chunks_done) || 0;
  if (doc.status === 'processing') {
    if (total > 0) {
      cell.push(h('progress', { class: 'doc-progress', max: String(total), value: String(Math.min(done, total)),
        'aria-label': 'Ingestion of ' + doc.name }), h('span', { class: 'muted chunks' }, done + ' / ' + total + ' chunks'));
    } else {
      cell.push(h('span', { class: 'muted chunks' }, 'reading…'));
    }
  } else if (doc.status === 'ready') {
    cell.push(h('span', { class: 'muted chunks' }, total + (total === 1 ? ' chunk' : ' chunks')));
  } else if (doc.status === 'failed') {
    cell.push(h('div', { class: 'doc-error' }, doc.error || 'Ingestion failed (no reason given).'));
  }
  return cell;
}

function nameCell(doc) {
  const out = [h('span', { class: 'doc-name' }, doc.name || '(unnamed)')];
  if (doc.source === 'url' && doc.url && /^https?:\/\//i.test(doc.url)) {
    out.push(h('div', { class: 'hint' }, h('a', { href: doc.url, target: '_blank', rel: 'noopener noreferrer' }, doc.url)));
  }
  return out;
}

function kindText(doc) {
  const kind = doc.source === 'url' ? 'web page' : doc.source === 'text' ? 'text' : (fileType(doc.name) || 'file');
  const size = fileSize(doc.size_bytes);
  return kind + (size ? ' · ' + size : '');
}
