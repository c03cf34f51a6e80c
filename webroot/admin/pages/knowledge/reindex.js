/* The re-index notice: shown when documents were embedded with another model than the configured one. */
import { api } from '../../lib/api.js';
import { h, toast } from '../../lib/dom.js';
import { showError } from '../../lib/forms.js';

export class Reindex {
  /** path: the bot's API path; errors: the box for failures; refresh: reads the document list again. */
  constructor(path, errors, refresh) {
    this.text = h('span');
    this.button = h('button', { type: 'button', class: 'secondary', id: 'reindex-button' }, 'Re-index');
    this.el = h('p', { class: 'notice', id: 'reindex', hidden: true }, this.text, ' ', this.button);
    this.button.addEventListener('click', () => {
      this.button.disabled = true;
      api('POST', path + '/reindex').then((res) => {
        this.button.disabled = false;
        toast('Re-indexing ' + res.queued + (res.queued === 1 ? ' document' : ' documents'));
        refresh();
      }, (e) => { this.button.disabled = false; showError(errors, e); });
    });
  }

  /** Shows or hides the notice after the index status in a document list answer. */
  show(res) {
    this.el.hidden = !(res && res.reindex_needed);
    if (this.el.hidden) { return; }
    const n = Number(res.reindex_documents) || 0;
    const old = (res.indexed_models || []).filter((m) => m !== res.embedding_model);
    this.text.textContent = n + (n === 1 ? ' document was' : ' documents were') + ' embedded with ' + old.join(', ') +
      ', not with the configured model ' + res.embedding_model + '. Re-index to embed ' + (n === 1 ? 'it' : 'them') + ' again with it.';
  }
}
