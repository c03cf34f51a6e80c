/*
 * The document list of the Knowledge tab: newest first, a page at a time ("Show more" reads the next), narrowed by the
 * filters, with each document's status and ingestion progress, retry and delete. While a document is pending or
 * processing it asks every second only for the documents changed or deleted since its last answer, otherwise every 10
 * seconds; either only while the page is in view and someone used it in the last 30 minutes (a tab left alone must not
 * keep its session alive), and again as soon as it is looked at or used; and not once stopped (the tab was left). Rows are kept
 * and updated in place, so a focused button keeps its focus. The summary counts all of the bot's documents, as the
 * server does. A role that may not change the knowledge base gets no buttons.
 */
import { api } from '../../lib/api.js';
import { h, toast } from '../../lib/dom.js';
import { errorBox, showError } from '../../lib/forms.js';
import { can } from '../../lib/session.js';
import { DocumentFilters } from './document-filters.js';
import { DocumentTable } from './document-table.js';

const POLL_MS = 1000;
/** With nothing in progress, what others added, changed or deleted is asked for this often… */
const IDLE_POLL_MS = 10000;
/** …while the page is in view and was used this recently… */
const IDLE_FOR_MS = 30 * 60 * 1000;
/** …where these count as a use (or a look). */
const WAKE = ['pointerdown', 'keydown', 'wheel', 'touchstart', 'visibilitychange'];
const PAGE = 100;
/** The most changes one poll takes: past that, the first page is read again instead. */
const CHANGES = 1000;
/** A poll starts this long before the last answer's as_of: another node's clock may be behind the one that answered. */
const CLOCK_MARGIN_MS = 5000;
/** What the list reads, in the order it is done when several are wanted (the first page makes the others moot). */
const KINDS = ['first', 'more', 'changes'];

export class DocumentList {
  /** path: the bot's API path; box: the tab (no update once it left the page); onIndex: gets each list answer. */
  constructor(path, box, onIndex) {
    this.path = path;
    this.box = box;
    this.onIndex = onIndex;
    this.errors = errorBox();
    this.filters = new DocumentFilters(() => this.want('first'));
    const edit = can('knowledge.edit');
    this.empty = h('p', { class: 'muted', id: 'documents-empty', hidden: true },
      'No documents yet.' + (edit ? ' Add files, text or a web page above.' : ''));
    this.none = h('p', { class: 'muted', id: 'documents-none', hidden: true }, 'No documents match.');
    this.summary = h('span', { class: 'muted', id: 'documents-summary' });
    this.shown = h('span', { class: 'muted', id: 'documents-shown' });
    this.more = h('button', { type: 'button', class: 'secondary', id: 'documents-more', hidden: true }, 'Show more');
    this.more.addEventListener('click', () => this.want('more'));
    this.table = new DocumentTable(edit ? { retry: (row, button) => this.retry(row, button),
      remove: (row, button) => this.remove(row, button) } : null);
    this.live = this.table.live;
    /** Ids deleted here: a poll answered before the delete must not bring the row back. */
    this.deleted = new Set();
    this.counts = {};
    this.cursor = null;
    this.asOf = null;
    this.wanted = new Set();
    this.inflight = null;
    this.timer = 0;
    this.stopped = false;
    this.usedAt = Date.now();
    /** Whether polling paused for a page out of view or left alone: a look or a use asks at once. */
    this.paused = false;
    this.wake = () => {
      this.usedAt = Date.now();
      if (this.paused && !document.hidden) { this.paused = false; this.again(); }
    };
    WAKE.forEach((e) => document.addEventListener(e, this.wake));
  }

  /** The filters, the table, the empty states and the line with "Show more". */
  view() {
    return [this.filters.el, this.table.el, this.empty, this.none, h('div', { class: 'actions' }, this.shown, this.more)];
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    WAKE.forEach((e) => document.removeEventListener(e, this.wake));
  }

  /** Brings the list up to date (after an upload, a retry, a delete…): the first page, or once it is read what changed since. */
  load() {
    this.want(this.asOf === null ? 'first' : 'changes');
  }

  /** Reads kind now, or once the request in flight answered. */
  want(kind) {
    if (this.stopped || (kind === 'more' && this.inflight === 'more')) { return; }
    this.wanted.add(kind);
    if (!this.inflight) { this.next(); }
  }

  /** Reads what is wanted, then what changed since, later (see later). */
  next() {
    clearTimeout(this.timer);
    const kind = KINDS.find((k) => this.wanted.has(k) && (k !== 'more' || this.cursor));
    this.wanted.delete('more');
    if (!kind) { this.later(); return; }
    if (kind === 'first') { this.wanted.clear(); } else { this.wanted.delete(kind); }
    this.inflight = kind;
    api('GET', this.path + '/documents?' + this.query(kind)).then((res) => {
      this.inflight = null;
      if (this.stopped || !this.box.isConnected) { return; }
      this.errors.hidden = true;
      this.onIndex(res);
      this.apply(kind, res);
      if (this.wanted.size) { this.next(); } else { this.later(); }
    }, (e) => {
      this.inflight = null;
      if (this.stopped || !this.box.isConnected) { return; }
      showError(this.errors, e);
      if (e.status === 401) { this.wanted.clear(); return; }
      this.wanted.add(kind);
      this.later(POLL_MS * 5);
    });
  }

  /**
   * Reads again in a while: what is wanted, or what changed. Every second while a document is pending or processing,
   * every 10 seconds otherwise (after a failure, in 5 s); never while the page is out of view or has not been used for
   * 30 minutes: it pauses until it is looked at or used (a tab left alone must not keep its session alive).
   */
  later(ms) {
    if (document.hidden || Date.now() - this.usedAt >= IDLE_FOR_MS) { this.paused = true; return; }
    const busy = (this.counts.pending || 0) + (this.counts.processing || 0) > 0;
    this.timer = setTimeout(() => this.again(), ms || (busy ? POLL_MS : IDLE_POLL_MS));
  }

  /** What is wanted (a read that failed), else what changed. */
  again() {
    if (this.wanted.size) { this.next(); } else { this.load(); }
  }

  query(kind) {
    const q = new URLSearchParams({ order: 'newest' });
    if (kind === 'changes') {
      // Without the filters: a row shown as Processing must learn it became Ready, even under "In progress".
      q.set('updated_since', String(Math.max(0, this.asOf - CLOCK_MARGIN_MS)));
      q.set('limit', String(CHANGES));
    } else {
      this.filters.addTo(q);
      q.set('limit', String(PAGE));
      if (kind === 'more') { q.set('cursor', this.cursor); }
    }
    return q.toString();
  }

  apply(kind, res) {
    this.counts = (res && res.counts) || {};
    // An answer read before a delete here still lists the deleted document, and one may list a document it says was
    // deleted (the two are read apart).
    const gone = new Set(Array.isArray(res && res.deleted) ? res.deleted : []);
    const docs = ((res && res.documents) || []).filter((doc) => !this.deleted.has(doc.id) && !gone.has(doc.id));
    // The filters changed while this was read: the first page is read again anyway.
    if (this.wanted.has('first')) { this.showCounts(); return; }
    // Too many changes, or deletions further back than the server keeps them: read the first page again.
    if (kind === 'changes' && (res.next_cursor || !Array.isArray(res.deleted))) {
      this.wanted.add('first');
    } else if (kind === 'changes') {
      gone.forEach((id) => this.table.drop(id));
      this.table.merge(docs, (doc) => this.filters.matches(doc), !this.cursor);
      this.asOf = res.as_of;
    } else {
      if (kind === 'first') { this.table.replace(docs); this.asOf = res.as_of; } else { this.table.append(docs); }
      this.cursor = res.next_cursor || null;
    }
    this.showCounts();
  }

  showCounts() {
    const c = this.counts, n = this.table.size(), busy = (c.pending || 0) + (c.processing || 0);
    this.summary.textContent = c.total ? amount(c.total, 'document') + ': ' + number(c.ready) + ' ready' +
      (busy ? ', ' + number(busy) + ' in progress' : '') + (c.failed ? ', ' + number(c.failed) + ' failed' : '') : '';
    this.empty.hidden = n > 0 || c.total > 0;
    this.none.hidden = n > 0 || !c.total || !this.filters.active();
    this.shown.textContent = !n ? '' : !this.filters.active() ? 'Showing ' + number(n) + ' of ' + number(c.total)
      : 'Showing ' + (this.cursor ? 'the first ' : '') + number(n) + (n === 1 ? ' match' : ' matches');
    this.more.hidden = !this.cursor;
  }

  retry(row, button) {
    button.disabled = true;
    api('POST', this.documentPath(row) + '/retry').then((d) => {
      button.disabled = false;
      this.errors.hidden = true;
      if (d && d.id) { this.table.fill(row, d); }
      toast('Queued again');
      this.load();
    }, (e) => { button.disabled = false; showError(this.errors, e); });
  }

  remove(row, button) {
    if (!confirm('Delete "' + row.doc.name + '" from the knowledge base? Its passages will no longer be used in answers.')) { return; }
    button.disabled = true;
    api('DELETE', this.documentPath(row)).then(() => {
      this.forget(row.doc.id);
      toast('Document deleted');
    }, (e) => {
      button.disabled = false;
      if (e.status === 404) { this.forget(row.doc.id); }
      showError(this.errors, e);
    });
  }

  /** Takes out the row of a document that no longer exists, and reads the counts again. */
  forget(id) {
    this.deleted.add(id);
    this.table.drop(id);
    this.load();
  }

  documentPath(row) {
    return this.path + '/documents/' + encodeURIComponent(row.doc.id);
  }
}

function number(n) {
  return Number(n || 0).toLocaleString();
}

function amount(n, what) {
  return number(n) + ' ' + what + (n === 1 ? '' : 's');
}
