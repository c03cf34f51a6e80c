/*
 * Parley admin dashboard, the entry module: a small single-page app over the admin API, routed by
 * the location hash (#/login, #/bots, #/bots/new, #/bots/{id}/{tab}/{sub}). The library modules
 * are in lib/ (DOM, API client, forms), one module per page in pages/. The admin token lives in
 * sessionStorage.
 */
import { signOut, token } from './lib/api.js';
import { h, render } from './lib/dom.js';
import { setRoute } from './lib/router.js';
import { botForm } from './pages/bot-form.js';
import { botPage } from './pages/bot-page.js';
import { botList } from './pages/bots.js';
import { signIn } from './pages/sign-in.js';

function route() {
  const signedIn = !!token();
  document.getElementById('nav').hidden = !signedIn;
  document.getElementById('sign-out').hidden = !signedIn;
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (!signedIn || parts[0] === 'login') {
    if (signedIn) { location.hash = '#/bots'; return; }
    signIn();
    return;
  }
  if (parts[0] !== 'bots') { location.hash = '#/bots'; return; }
  if (!parts[1]) { botList(); return; }
  if (parts[1] === 'new') {
    render(h('section', { class: 'card' }, h('h1', null, 'New bot'), botForm(null)));
    return;
  }
  botPage(parts[1], parts[2] || '', parts[3] || null);
}

setRoute(route);
document.getElementById('sign-out').addEventListener('click', signOut);
window.addEventListener('hashchange', route);
route();
