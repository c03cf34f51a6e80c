/*
 * File uploads of the Knowledge tab: a drop zone and a file picker feed a queue of files, each with its own progress
 * bar, status and cancel button. Small files go to the server together (it adds the files of a request all or none,
 * with one quota check and one insert, and embeds them in shared batches: faster than one request each); a big file
 * goes alone, so its bar shows its own progress. PARALLEL requests at once. Files of the wrong type or over the limit
 * are rejected before they are sent. A refused request is handled in refused(), described in docs/knowledge.md.
 */
import { upload } from '../../lib/api.js';
import { h } from '../../lib/dom.js';
import { errorText } from '../../lib/forms.js';
import { ACCEPT, checkFile, fileSize, MAX_BYTES } from './files.js';

const PARALLEL = 3;
/** Files in one request (the server takes 100): one request instead of 20, and few to send again when one is refused. */
const GROUP_FILES = 20;
/** Bytes in one request: a few seconds on a slow uplink, so a group's shared bar moves and a cancel loses little. */
const GROUP_BYTES = 2 * 1024 * 1024;
/** A file this big goes alone: the request's own cost is small beside its ingestion, and its bar is its own. */
const ALONE_BYTES = 512 * 1024;
/** Refusals of a request of several files that may come from one of them: 415 type or content, 413 size, 422. */
const BY_FILE = [413, 415, 422];

export class Uploads {
  /** path: the bot's API path; refresh: reads the document list again (after each request). */
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
    const item = { file: file, li: li, bar: bar, status: status, cancel: cancel, abort: null, alone: false };
    cancel.addEventListener('click', () => {
      if (item.abort) { item.abort(); return; }
      const i = this.queue.indexOf(item);
      if (i < 0) { return; }
      this.queue.splice(i, 1);
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
      this.send(this.nextGroup());
    }
  }

  /** Takes the next request's files off the queue: the first one, and if it is small, the next small ones that fit. */
  nextGroup() {
    const group = [this.queue.shift()];
    let bytes = group[0].file.size;
    for (let i = 0; !alone(group[0]) && i < this.queue.length && group.length < GROUP_FILES;) {
      const item = this.queue[i];
      if (alone(item) || bytes + item.file.size > GROUP_BYTES) { i++; continue; }
      bytes += item.file.size;
      group.push(this.queue.splice(i, 1)[0]);
    }
    return group;
  }

  send(group) {
    this.active++;
    group.forEach((item) => setState(item, 'uploading', 'Uploading… 0%'));
    let cancelled = null;
    const req = upload(this.path + '/documents', group.map((item) => item.file), (loaded, total) => {
      const pct = total ? Math.floor(loaded * 100 / total) : 0;
      group.forEach((item) => {
        item.bar.value = pct;
        item.status.textContent = 'Uploading… ' + pct + '%';
      });
    }, () => group.forEach((item) => {
      // The server has it all and may be adding it: a cancel now could not be kept.
      item.abort = null;
      item.cancel.hidden = true;
      item.status.textContent = 'Sent; being added…';
    }));
    group.forEach((item) => {
      item.abort = () => { cancelled = item; req.abort(); };
    });
    req.promise.then((res) => {
      group.forEach((item, i) => {
        const doc = res.documents && res.documents[i];
        if (doc && doc.id) { item.li.setAttribute('data-doc-id', doc.id); }
        item.bar.value = 100;
        setState(item, 'done', 'Uploaded; ingestion runs below.');
      });
    }, (e) => this.refused(group, e, cancelled)).then(() => {
      group.forEach((item) => { item.abort = null; });
      this.active--;
      this.pump();
      this.refresh();
    });
  }

  /**
   * A request that added nothing. A cancel cancels only its file; the others wait for the next request. A refusal of
   * several files that names one of them fails that file, and the others are sent again (without it); one that names
   * none of them (the request's size; a name the server spelled otherwise) sends each again alone, so that each gets
   * the server's answer about itself. Otherwise (one file, a quota the files pass together, no answer, a sign-out, a
   * server error) each file of the request fails with the reason.
   */
  refused(group, e, cancelled) {
    const others = (item) => group.filter((other) => other !== item);
    if (e.code === 'cancelled') {
      fail(cancelled, 'cancelled', e.message);
      this.requeue(others(cancelled));
      return;
    }
    if (group.length > 1 && BY_FILE.indexOf(e.status) >= 0 && e.code !== 'quota_exceeded') {
      // The server names a refused file first, in quotes: "'notes.pdf': The file is named as a PDF but…".
      const named = group.filter((item) => e.message.indexOf("'" + item.file.name + "'") === 0);
      if (named.length === 1) {
        fail(named[0], 'failed', errorText(e));
        this.requeue(others(named[0]));
      } else {
        group.forEach((item) => { item.alone = true; });
        this.requeue(group);
      }
      return;
    }
    group.forEach((item) => fail(item, 'failed', errorText(e)));
  }

  /** Puts files back at the head of the queue, in their order. */
  requeue(items) {
    items.forEach((item) => {
      item.bar.value = 0;
      setState(item, 'queued', 'Waiting…');
    });
    this.queue.unshift(...items);
  }

  clearFinished() {
    [].slice.call(this.list.children).forEach((li) => {
      const s = li.getAttribute('data-state');
      if (s !== 'queued' && s !== 'uploading') { li.remove(); }
    });
    this.clearDone.hidden = this.list.children.length === 0;
  }
}

function alone(item) {
  return item.alone || item.file.size >= ALONE_BYTES;
}

function fail(item, state, text) {
  item.li.classList.add('failed');
  setState(item, state, text);
}

function setState(item, state, text) {
  item.li.setAttribute('data-state', state);
  item.status.textContent = text;
  item.cancel.hidden = state !== 'queued' && state !== 'uploading';
}
