/*
 * The table of the document list: its rows in the server's order (newest first), kept and updated in place, so a
 * focused button keeps its focus; a document that becomes ready or failed is announced in the live region.
 */
import { h } from '../../lib/dom.js';
import { fillRow, makeRow } from './document-row.js';

export class DocumentTable {
  /** actions: {retry(row, button), remove(row, button)} of each row's buttons, or null for none. */
  constructor(actions) {
    this.actions = actions;
    this.rows = {};
    this.tbody = h('tbody');
    this.el = h('table', { id: 'documents' }, h('thead', null, h('tr', null, h('th', null, 'Name'), h('th', null, 'Type'),
      h('th', null, 'Status'), h('th', null, 'Added'), h('th', null, ''))), this.tbody);
    this.live = h('p', { class: 'visually-hidden', id: 'kb-live', 'aria-live': 'polite' });
  }

  size() {
    return this.tbody.children.length;
  }

  /** Shows docs, in their order, instead of the rows shown. */
  replace(docs) {
    const seen = {};
    docs.forEach((doc, i) => {
      seen[doc.id] = true;
      const row = this.row(doc);
      // Moves only rows out of place, so a focused button keeps its focus.
      if (this.tbody.children[i] !== row) { this.tbody.insertBefore(row, this.tbody.children[i] || null); }
    });
    Object.keys(this.rows).forEach((id) => { if (!seen[id]) { this.drop(id); } });
  }

  /** Shows docs, the next page, under the rows shown. */
  append(docs) {
    docs.forEach((doc) => {
      const shown = this.rows[doc.id];
      const row = this.row(doc);
      if (!shown) { this.tbody.appendChild(row); }
    });
  }

  /**
   * Updates the rows shown with changed docs (newest first), and puts a changed document that belongs (passes the
   * filters) at its place when that place is among the pages read: above the last row, or below it when last (no
   * page follows).
   */
  merge(docs, belongs, last) {
    let at = this.tbody.firstElementChild;
    docs.forEach((doc) => {
      if (this.rows[doc.id]) { this.fill(this.rows[doc.id], doc); return; }
      if (!belongs(doc)) { return; }
      while (at && newer(at.doc, doc)) { at = at.nextElementSibling; }
      if (at || last) { this.tbody.insertBefore(this.row(doc), at); }
    });
  }

  /** The row of doc, made if need be, showing doc. */
  row(doc) {
    const row = this.rows[doc.id] || (this.rows[doc.id] = makeRow(doc, this.actions));
    this.fill(row, doc);
    return row;
  }

  fill(row, doc) {
    const announce = fillRow(row, doc);
    if (announce) { this.live.textContent = announce; }
  }

  drop(id) {
    if (this.rows[id]) { this.rows[id].remove(); delete this.rows[id]; }
  }
}

/** Whether a comes before b newest first: created later, or at the same time with a greater id (the server's order). */
function newer(a, b) {
  return a.created_at > b.created_at || (a.created_at === b.created_at && a.id > b.id);
}
