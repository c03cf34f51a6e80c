/*
 * The admin API client. A person signs in with a password or SSO and is then known by the session
 * cookie (HttpOnly, sent by the browser); writes carry the session's CSRF token (X-CSRF-Token, from
 * GET /api/me). The bootstrap admin token, when used instead, is kept in sessionStorage and sent as
 * a bearer header. JSON bodies; JSON errors ({"error": {code, message, field}}) as ApiError. A 401
 * signs out.
 */
import { csrfToken, forgetMe } from './session.js';

const TOKEN_KEY = 'parley.admin.token';
const SAFE = ['GET', 'HEAD', 'OPTIONS'];

export function token() { return sessionStorage.getItem(TOKEN_KEY); }

export function setToken(value) { sessionStorage.setItem(TOKEN_KEY, value); }

export function forgetToken() { sessionStorage.removeItem(TOKEN_KEY); }

/** Forgets who was signed in (the server already did, or is told by signOutNow) and shows the sign-in page. */
export function signOut() {
  forgetToken();
  forgetMe();
  location.hash = '#/login';
}

/** The sign-out button: ends the cookie session on the server (when there is one), then signs out here. */
export function signOutNow() {
  const ending = token() ? Promise.resolve() : api('POST', '/api/auth/logout', undefined, true).catch(() => null);
  ending.then(signOut);
}

/** The headers every admin request carries: the bearer token, or for a write in a cookie session the CSRF token. */
export function authHeaders(method) {
  const headers = { 'Accept': 'application/json' };
  if (token()) {
    headers['Authorization'] = 'Bearer ' + token();
  } else if (SAFE.indexOf(method) < 0 && csrfToken()) {
    headers['X-CSRF-Token'] = csrfToken();
  }
  return headers;
}

/** The API path of a bot: /api/bots/{id}. */
export function botPath(id) { return '/api/bots/' + encodeURIComponent(id); }

export class ApiError {
  constructor(status, body) {
    const e = (body && body.error) || {};
    this.status = status;
    this.code = e.code || 'error';
    this.field = e.field || null;
    this.message = e.message || (status === 0 ? 'Parley cannot be reached. Check your connection.' : 'Request failed (HTTP ' + status + ')');
  }
}

/** A JSON request; resolves with the JSON body (null for 204), rejects with an ApiError. quiet: a 401 does not sign out. */
export function api(method, path, body, quiet) {
  const init = { method: method, headers: authHeaders(method), credentials: 'same-origin' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  return fetch(path, init).catch(() => { throw new ApiError(0, null); }).then((r) => {
    if (r.status === 204) { return null; }
    return r.json().catch(() => null).then((json) => {
      if (!r.ok) {
        if (r.status === 401 && !quiet) { signOut(); }
        throw new ApiError(r.status, json);
      }
      return json;
    });
  });
}

/**
 * request (a function answering a promise) wrapped so that only its latest call's answer is passed on: an earlier
 * call answered late (a slow first page, a filter sent twice) never settles, so it cannot draw over the latest.
 */
export function latestOnly(request) {
  let calls = 0;
  const never = new Promise(() => {});
  return (...args) => {
    const call = ++calls;
    return request(...args).then((value) => (call === calls ? value : never),
      (error) => (call === calls ? Promise.reject(error) : never));
  };
}

/**
 * POSTs files as one multipart/form-data request (the server adds them all or none) with an XMLHttpRequest, so that
 * its progress can be shown; {promise, abort}. onSent: the whole body went out, the server decides now. The promise
 * rejects with an ApiError (code 'cancelled' once aborted).
 */
export function upload(path, files, onProgress, onSent) {
  const xhr = new XMLHttpRequest();
  const promise = new Promise((resolve, reject) => {
    const data = new FormData();
    files.forEach((file) => data.append('file', file, file.name));
    xhr.open('POST', path);
    const headers = authHeaders('POST');
    Object.keys(headers).forEach((k) => xhr.setRequestHeader(k, headers[k]));
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) { onProgress(e.loaded, e.total); }
    });
    xhr.upload.addEventListener('load', () => onSent());
    xhr.addEventListener('load', () => uploaded(xhr, resolve, reject));
    xhr.addEventListener('error', () => reject(uploadError(null,
      'The upload was interrupted: Parley cannot be reached, or the upload is over the server\'s limit.')));
    xhr.addEventListener('abort', () => reject(uploadError('cancelled', 'Upload cancelled.')));
    xhr.send(data);
  });
  return { promise: promise, abort: () => xhr.abort() };
}

function uploaded(xhr, resolve, reject) {
  let json = null;
  try { json = JSON.parse(xhr.responseText); } catch (ignored) { json = null; }
  if (xhr.status >= 200 && xhr.status < 300) { resolve(json || {}); return; }
  if (xhr.status === 401) { signOut(); }
  const err = new ApiError(xhr.status, json);
  if (!(json && json.error && json.error.message)) {
    if (xhr.status === 413) { err.message = 'The file is larger than the server accepts.'; err.code = 'payload_too_large'; }
    if (xhr.status === 415) { err.message = 'Parley reads txt, md, html, pdf and docx files only.'; err.code = 'unsupported_media_type'; }
  }
  reject(err);
}

/** An upload that got no answer: status 0, with the given code (or the default 'error') and message. */
function uploadError(code, message) {
  const err = new ApiError(0, null);
  err.message = message;
  if (code) { err.code = code; }
  return err;
}
