/*
 * Signing in: who is signed in (GET /api/me), a password sign-in (the server sets the session cookie),
 * and the bootstrap admin token (kept in sessionStorage, sent as a bearer header).
 */
import { api, forgetToken, setToken } from './api.js';
import { setMe } from './session.js';

/** Reads GET /api/me into the session; rejects with the ApiError (401: nobody is signed in). */
export function loadMe() {
  return api('GET', '/api/me', undefined, true).then((m) => { setMe(m); return m; });
}

/** Signs in with an account (forgetting any admin token kept in this tab) and reads who that is. */
export function passwordSignIn(email, password) {
  forgetToken();
  return api('POST', '/api/auth/login', { email: email, password: password }, true).then(loadMe);
}

/** Keeps the bootstrap token only when the server accepts it. */
export function tokenSignIn(value) {
  setToken(value);
  return loadMe().catch((e) => { forgetToken(); throw e; });
}

export const MIN_PASSWORD = 12;

/** The problem with a new password and its repetition, or null. */
export function passwordProblem(password, again) {
  if (password.length < MIN_PASSWORD) { return 'At least ' + MIN_PASSWORD + ' characters'; }
  if (password !== again) { return 'The two passwords differ'; }
  return null;
}
