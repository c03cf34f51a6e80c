/*
 * One row of the document list: name, type, status with ingestion progress, when it was added, and for a role that
 * may change the knowledge base its retry and delete buttons. A row is updated in place, its cells rebuilt only when
 * what they show changed.
 */
import { h, when } from '../../lib/dom.js';
import { fileSize, fileType } from './files.js';

const STATUS = { pending: 'Waiting', processing: 'Processing', ready: 'Ready', failed: 'Failed' };

/** A row for doc, to be filled by fillRow; actions: {retry(row, button), remove(row, button)}, null for no buttons. */
export function makeRow(doc, actions) {
  const row = h('tr', { 'data-doc-id': doc.id }, h('td', { class: 'name' }), h('td', { class: 'kind' }),
    h('td', { class: 'status' }), h('td', { class: 'added' }), h('td', { class: 'doc-actions' }));
  if (!actions) { return row; }
  const retry = h('button', { type: 'button', class: 'secondary retry', hidden: true }, 'Retry');
  const del = h('button', { type: 'button', class: 'danger delete' }, 'Delete');
  row.cells[4].append(retry, ' ', del);
  retry.addEventListener('click', () => actions.retry(row, retry));
  del.addEventListener('click', () => actions.remove(row, del));
  return row;
}

/** Shows doc in row (row.doc is then doc); the text to announce when its status just became ready or failed, else null. */
export function fillRow(row, doc) {
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
    return doc.name + ': ' + STATUS[doc.status] + (doc.status === 'failed' && doc.error ? ', ' + doc.error : '');
  }
  return null;
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
