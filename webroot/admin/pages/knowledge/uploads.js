/*
 * File uploads of the Knowledge tab: a drop zone and a file picker feed a queue of files, PARALLEL
 * at once, each with its own progress bar, status and cancel button. Files of the wrong type or
 * over the limit are rejected before they are sent.
 */
import { upload } from '../../lib/api.js';
import { h } from '../../lib/dom.js';
import { errorText } from '../../lib/forms.js';
import { ACCEPT, checkFile, fileSize, MAX_BYTES } from './files.js';

const PARALLEL = 3;

export class Uploads {
  /** path: the bot's API path; refresh: reads the document list again (after each upload). */
  constructor(path, refresh) {
    this.path = path;
    this.refresh = refresh;
    this.queue = [];
    this.active = 0;
    this.list = h('ul', { class: 'uploads', id: 'uploads', 'aria-label': 'Uploads' });
    this.clearDone = h('button', { type: 'button', class: 'secondary', id: 'clear-uploads', hidden: true }, 'Clear finished uploads');
    this.clearDone.addEventListener('click', () => this.clearFinished());
  }

  /** The drop zone with the (visually hidden) file picker. */
  dropzone() {
    const picker = h('input', { type: 'file', id: 'kb-files', multiple: true, accept: ACCEPT, class: 'visually-hidden' });
    picker.addEventListener('change', () => {
      this.add(picker.files);
      picker.value = '';
    });
    const zone = h('div', { class: 'dropzone', id: 'dropzone' },
      h('p', null, h('strong', null, 'Drop files here'), ' or ',
        h('label', { class: 'button pick', for: 'kb-files' }, 'choose files', picker)),
      h('p', { class: 'hint' }, 'txt, md, html, pdf or docx; up to ' + fileSize(MAX_BYTES) + ' each; several at once.'));
    let depth = 0;
    zone.addEventListener('dragenter', (e) => { e.preventDefault(); depth++; zone.classList.add('over'); });
    zone.addEventListener('dragover', (e) => {
      e.preventDefault();
      if (e.dataTransfer) { e.dataTransfer.dropEffect = 'copy'; }
    });
    zone.addEventListener('dragleave', () => { depth = Math.max(0, depth - 1); if (!depth) { zone.classList.remove('over'); } });
    zone.addEventListener('drop', (e) => {
      e.preventDefault();
      depth = 0;
      zone.classList.remove('over');
      this.add(e.dataTransfer && e.dataTransfer.files);
    });
    return zone;
  }

  add(fileList) {
    const files = [].slice.call(fileList || []);
    if (!files.length) { return; }
    this.clearDone.hidden = false;
    files.forEach((file) => this.addOne(file));
    this.pump();
  }

  addOne(file) {
    const bar = h('progress', { max: '100', value: '0', 'aria-label': 'Upload of ' + file.name });
    const status = h('span', { class: 'upload-status' });
    const cancel = h('button', { type: 'button', class: 'link-button' }, 'Cancel');
    const li = h('li', { class: 'upload' }, h('span', { class: 'upload-name' }, file.name),
      h('span', { class: 'muted upload-size' }, fileSize(file.size)), bar, status, cancel);
    li.setAttribute('data-name', file.name);
    const item = { file: file, li: li, bar: bar, status: status, cancel: cancel, abort: null };
    cancel.addEventListener('click', () => {
      if (item.abort) { item.abort(); return; }
      this.queue.splice(this.queue.indexOf(item), 1);
      setState(item, 'cancelled', 'Upload cancelled.');
    });
    this.list.appendChild(li);
    const problem = checkFile(file);
    if (problem) {
      li.classList.add('failed');
      bar.hidden = true;
      setState(item, 'rejected', problem);
      return;
    }
    setState(item, 'queued', 'Waiting…');
    this.queue.push(item);
  }

  pump() {
    while (this.active < PARALLEL && this.queue.length) {
      this.start(this.queue.shift());
    }
  }

  start(item) {
    this.active++;
    setState(item, 'uploading', 'Uploading… 0%');
    const req = upload(this.path + '/documents', item.file, (loaded, total) => {
      const pct = total ? Math.floor(loaded * 100 / total) : 0;
      item.bar.value = pct;
      item.status.textContent = 'Uploading… ' + pct + '%';
    });
    item.abort = req.abort;
    req.promise.then((res) => {
      item.bar.value = 100;
      const doc = res.documents && res.documents[0];
      if (doc && doc.id) { item.li.setAttribute('data-doc-id', doc.id); }
      setState(item, 'done', 'Uploaded; ingestion runs below.');
    }, (e) => {
      item.li.classList.add('failed');
      setState(item, e.code === 'cancelled' ? 'cancelled' : 'failed', errorText(e));
    }).then(() => {
      this.active--;
      this.pump();
      this.refresh();
    });
  }

  clearFinished() {
    [].slice.call(this.list.children).forEach((li) => {
      const s = li.getAttribute('data-state');
      if (s !== 'queued' && s !== 'uploading') { li.remove(); }
    });
    this.clearDone.hidden = this.list.children.length === 0;
  }
}

function setState(item, state, text) {
  item.li.setAttribute('data-state', state);
  item.status.textContent = text;
  item.cancel.hidden = state !== 'queued' && state !== 'uploading';
}
