/*
 * A server-sent event stream of the admin API, read with fetch so that it carries the same credentials
 * as api() (the session cookie, or the bootstrap token as a bearer header, which EventSource cannot
 * send). When the connection drops or the server ends it, it connects again after a pause (1 s, doubling
 * up to 30 s) with Last-Event-ID, so the server can send what was missed. A 401 or 403 stops it.
 * listen(path, onEvent(type, data, id), onState(connected)) → {stop()}.
 */
import { authHeaders } from './api.js';

export function listen(path, onEvent, onState) {
  let stopped = false;
  let last = null;
  let wait = 1000;
  let controller = null;
  let timer = 0;

  function again() {
    if (onState) { onState(false); }
    if (!stopped) { timer = setTimeout(connect, wait); wait = Math.min(30000, wait * 2); }
  }

  function connect() {
    controller = new AbortController();
    const headers = authHeaders('GET');
    headers['Accept'] = 'text/event-stream';
    if (last !== null) { headers['Last-Event-ID'] = last; }
    fetch(path, { headers: headers, credentials: 'same-origin', signal: controller.signal }).then((r) => {
      if (r.status === 401 || r.status === 403) { stopped = true; if (onState) { onState(false); } return null; }
      if (!r.ok || !r.body) { throw new Error('HTTP ' + r.status); }
      if (onState) { onState(true); }
      wait = 1000;
      return read(r.body.getReader());
    }).then(() => { if (!stopped) { again(); } }, () => { if (!stopped) { again(); } });
  }

  function read(reader) {
    const decoder = new TextDecoder();
    let buffer = '';
    const pump = () => reader.read().then((chunk) => {
      if (chunk.done) { return null; }
      buffer += decoder.decode(chunk.value, { stream: true }).replace(/\r\n?/g, '\n');
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
      return pump();
    });
    return pump();
  }

  function dispatch(block) {
    let type = 'message';
    let data = '';
    let id = null;
    block.split('\n').forEach((line) => {
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') { type = value; } else if (field === 'data') { data += (data ? '\n' : '') + value; } else if (field === 'id') { id = value; }
    });
    if (id !== null) { last = id; }
    if (!data) { return; }
    let json;
    try { json = JSON.parse(data); } catch (e) { return; }
    onEvent(type, json || {}, id);
  }

  connect();
  return { stop: () => { stopped = true; clearTimeout(timer); if (controller) { controller.abort(); } } };
}
