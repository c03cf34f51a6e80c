/*
 * The filters of the document list: a status select and a search box (name or URL). They give the query parameters of
 * a page and tell whether a document the page learns about by polling belongs in the list.
 */
import { h } from '../../lib/dom.js';

const TYPING_MS = 300;
const CHOICES = [['', 'All'], ['pending,processing', 'In progress'], ['failed', 'Failed'], ['ready', 'Ready']];

export class DocumentFilters {
  /** onChange: called once the filters changed (typing settled for ~300 ms, at once for the select and Enter). */
  constructor(onChange) {
    this.status = h('select', { id: 'documents-status' }, CHOICES.map((c) => h('option', { value: c[0] }, c[1])));
    this.search = h('input', { type: 'search', id: 'documents-search', maxlength: '100', autocomplete: 'off',
      placeholder: 'Name or URL' });
    this.applied = this.read();
    let typing = 0;
    const changed = () => {
      clearTimeout(typing);
      const now = this.read();
      // Enter after the pause, or text typed and erased again, must not read the same page twice.
      if (now.key !== this.applied.key) { this.applied = now; onChange(); }
    };
    this.status.addEventListener('change', changed);
    this.search.addEventListener('input', () => { clearTimeout(typing); typing = setTimeout(changed, TYPING_MS); });
    this.el = h('form', { id: 'documents-filters', class: 'grid', role: 'search', 'aria-label': 'Filter the documents',
      on: { submit: (e) => { e.preventDefault(); changed(); } } },
    h('label', { for: 'documents-status' }, 'Status', this.status),
    h('label', { for: 'documents-search' }, 'Search names and URLs', this.search));
  }

  /** Whether a filter is set (an empty list then means that none matches, not that the bot has no documents). */
  active() {
    return this.applied.statuses.length > 0 || this.applied.text !== '';
  }

  /** The filters the list was read with, as query parameters added to params. */
  addTo(params) {
    if (this.applied.statuses.length) { params.set('status', this.applied.statuses.join(',')); }
    if (this.applied.text) { params.set('q', this.applied.text); }
  }

  /**
   * Whether doc passes the filters the list was read with, as the server checks them (status; text in name or URL,
   * A–Z taken for a–z: what every database Parley runs on lowers).
   */
  matches(doc) {
    const f = this.applied, text = lowerAscii(f.text);
    return (!f.statuses.length || f.statuses.indexOf(doc.status) >= 0) &&
      (!text || lowerAscii(doc.name).includes(text) || lowerAscii(doc.url).includes(text));
  }

  /** The filters as the controls show them now. */
  read() {
    const statuses = this.status.value ? this.status.value.split(',') : [], text = this.search.value.trim();
    return { statuses: statuses, text: text, key: statuses.join(',') + '\n' + text };
  }
}

function lowerAscii(value) {
  return String(value || '').replace(/[A-Z]/g, (c) => c.toLowerCase());
}
