/* The retrieval preview of the Knowledge tab: what a chat turn would retrieve for a question, best first. */
import { api } from '../../lib/api.js';
import { h } from '../../lib/dom.js';
import { clearErrors, errorBox, fieldError, labelled, showError } from '../../lib/forms.js';

/** The search form and its results list; path: the bot's API path; rag: the bot's rag settings (the form's defaults). */
export function retrievalPreview(path, rag) {
  const results = h('ol', { class: 'kb-results', id: 'kb-results', 'aria-live': 'polite' });
  const err = errorBox();
  const query = h('input', { type: 'search', maxlength: '4000', autocomplete: 'off', placeholder: 'A question a visitor might ask' });
  const topK = h('input', { type: 'number', min: '1', max: '50', step: '1' });
  topK.value = String(rag.top_k || 4);
  const minScore = h('input', { type: 'number', min: '-1', max: '1', step: '0.05' });
  minScore.value = String(rag.min_score === undefined || rag.min_score === null ? 0 : rag.min_score);
  const button = h('button', { type: 'submit', class: 'primary' }, 'Search');
  const form = h('form', { id: 'kb-search', novalidate: true }, err,
    h('div', { class: 'grid' },
      labelled('kb-query', 'query', 'Query', query),
      labelled('kb-top-k', 'top_k', 'Passages (top k)', topK),
      labelled('kb-min-score', 'min_score', 'Minimum score', minScore, 'The bot\'s settings; change them here to explore.')),
    h('div', { class: 'actions' }, button));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearErrors(form, err);
    const search = read(form, query, topK, minScore);
    if (!search) { return; }
    button.disabled = true;
    results.setAttribute('aria-busy', 'true');
    api('POST', path + '/search', search).then((res) => {
      button.disabled = false;
      results.removeAttribute('aria-busy');
      showResults(results, (res && res.results) || [], search.min_score);
    }, (e2) => {
      button.disabled = false;
      results.removeAttribute('aria-busy');
      if (e2.field) { fieldError(form, e2.field, e2.message); }
      showError(err, e2);
    });
  });
  return [form, results];
}

/** The search body, or null after marking the fields that are not valid. */
function read(form, query, topK, minScore) {
  const q = query.value.trim();
  const k = Number(topK.value), m = Number(minScore.value);
  let bad = false;
  if (!q) { fieldError(form, 'query', 'Enter a query'); bad = true; }
  if (!(k >= 1 && k <= 50 && Math.round(k) === k)) { fieldError(form, 'top_k', 'A whole number from 1 to 50'); bad = true; }
  if (minScore.value.trim() === '' || !(m >= -1 && m <= 1)) { fieldError(form, 'min_score', 'A number from -1 to 1'); bad = true; }
  return bad ? null : { query: q, top_k: k, min_score: m };
}

function showResults(results, list, minScore) {
  results.replaceChildren();
  if (!list.length) {
    results.appendChild(h('li', { class: 'muted none' }, 'No passage found' + (minScore > 0 ? ' at or above a score of ' + minScore : '') +
      '. Only documents marked Ready are searched.'));
    return;
  }
  list.forEach((r, i) => results.appendChild(result(r, i)));
}

function result(r, i) {
  const score = typeof r.score === 'number' ? r.score.toFixed(3) : String(r.score);
  const full = r.text && r.text !== r.snippet ? h('details', null, h('summary', null, 'Whole passage'), h('div', { class: 'passage' }, r.text)) : null;
  return h('li', { class: 'kb-result', 'data-document-id': r.document_id || null },
    h('div', { class: 'kb-result-head' },
      h('span', { class: 'rank' }, '#' + (i + 1)),
      h('strong', { class: 'result-document' }, r.document_name || '(unnamed document)'),
      r.heading ? h('span', { class: 'result-heading' }, r.heading) : null,
      h('span', { class: 'score', title: 'Cosine similarity' }, 'score ' + score)),
    h('p', { class: 'snippet' }, r.snippet || ''), full);
}
