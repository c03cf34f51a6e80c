/*
 * Parley admin dashboard, the entry module: a small single-page app over the admin API, routed by
 * the location hash (#/login, #/invite/{token}, #/bots, #/bots/new, #/bots/{id}/{tab}/{sub}, #/inbox,
 * #/inbox/{bot_id}/{conversation_id}, #/users, #/tokens, #/audit). The library modules are in lib/ (DOM, API client, who is signed in, forms), one
 * module per page in pages/. Who is signed in comes from GET /api/me; pages and the navigation show
 * only what that role may do.
 */
import { signOutNow } from './lib/api.js';
import { loadMe } from './lib/auth.js';
import { h, render } from './lib/dom.js';
import { errorText } from './lib/forms.js';
import { setRoute } from './lib/router.js';
import { can, me } from './lib/session.js';
import { auditPage } from './pages/audit.js';
import { botForm } from './pages/bot-form.js';
import { botPage } from './pages/bot-page.js';
import { botList } from './pages/bots.js';
import { inboxPage } from './pages/inbox.js';
import { invitePage } from './pages/invite.js';
import { signIn } from './pages/sign-in.js';
import { tokensPage } from './pages/tokens.js';
import { usersPage } from './pages/users.js';

const PAGES = {
  users: { allowed: () => can('users'), show: usersPage },
  audit: { allowed: () => can('audit'), show: auditPage },
  tokens: { allowed: () => true, show: tokensPage }
};

function route() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (parts[0] === 'invite' && parts[1]) { showNav(); invitePage(parts[1]); return; }
  if (!me()) {
    showNav();
    if (parts[0] === 'login') { signIn(); return; }
    const at = location.hash;
    render(h('p', { class: 'muted' }, 'Loading…'));
    // Another page opened meanwhile is drawn by its own route().
    loadMe().then(() => { if (location.hash === at) { route(); } }, (e) => {
      if (location.hash !== at) { return; }
      if (e.status !== 401) { render(h('p', { class: 'error' }, errorText(e))); return; }
      if (location.hash === '#/login') { signIn(); } else { location.hash = '#/login'; }
    });
    return;
  }
  showNav();
  const page = PAGES[parts[0]];
  if (page && page.allowed()) { page.show(); return; }
  if (parts[0] === 'inbox' && can('inbox')) { inboxPage(parts[1] || null, parts[2] || null); return; }
  // An agent's start page is the inbox (their Bots page lists the bots whose conversations they may read).
  if (parts[0] !== 'bots' || (parts[1] === 'new' && !can('bots.create'))) {
    location.hash = !can('bots.read') && can('inbox') && parts[0] !== 'bots' ? '#/inbox' : '#/bots';
    return;
  }
  if (!parts[1]) { botList(); return; }
  if (parts[1] === 'new') {
    render(h('section', { class: 'card' }, h('h1', null, 'New bot'), botForm(null)));
    return;
  }
  botPage(parts[1], parts[2] || '', parts[3] || null);
}

/** The navigation of the signed-in role (hidden while nobody is signed in), and who that is. */
function showNav() {
  const who = me();
  document.getElementById('nav').hidden = !who;
  document.getElementById('sign-out').hidden = !who;
  document.querySelectorAll('#nav [data-can]').forEach((a) => { a.hidden = !can(a.dataset.can); });
  const label = who ? (who.kind === 'bootstrap' ? 'Admin token' : who.name || who.email) + ' · ' + who.role : '';
  document.getElementById('who').textContent = label;
}

setRoute(route);
document.getElementById('sign-out').addEventListener('click', signOutNow);
window.addEventListener('hashchange', route);
route();
