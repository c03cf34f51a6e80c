// Loaded into the chat page before its scripts by ChatHandoffPageTest: the visitor channel (EventSource)
// is a fake the test drives, and the handoff routes answer as the contract says, so the page's drawing of
// states, agents' messages, deltas and the follow-up form is checked without the server's side of it.
(function () {
  if (location.pathname.indexOf('/chat/') !== 0) { return; }
  window.__sources = [];
  window.__posts = [];
  function FakeSource(url) {
    var self = this;
    this.url = url;
    this.listeners = {};
    this.closed = false;
    window.__sources.push(this);
    setTimeout(function () { if (!self.closed && self.onopen) { self.onopen({}); } }, 0);
  }
  FakeSource.prototype.addEventListener = function (type, fn) { (this.listeners[type] = this.listeners[type] || []).push(fn); };
  FakeSource.prototype.close = function () { this.closed = true; };
  FakeSource.prototype.emit = function (type, data, id) {
    var e = { type: type, data: JSON.stringify(data), lastEventId: id === null || id === undefined ? '' : String(id) };
    (this.listeners[type] || []).forEach(function (fn) { fn(e); });
  };
  FakeSource.prototype.fail = function () { if (this.onerror) { this.onerror({}); } };
  window.EventSource = FakeSource;
  window.__emit = function (type, data, id) { window.__sources[window.__sources.length - 1].emit(type, data, id); };
  var realFetch = window.fetch;
  function json(status, body) {
    return Promise.resolve(new Response(JSON.stringify(body), { status: status, headers: { 'Content-Type': 'application/json' } }));
  }
  window.fetch = function (url, init) {
    var u = String(url);
    if (/\/config$/.test(u)) {
      return realFetch(url, init).then(function (r) { return r.json(); }).then(function (c) {
        c.handoff = { enabled: true, message_waiting: 'Someone from the team will be with you shortly.', message_offline: null };
        return json(200, c);
      });
    }
    if (/\/handoff$/.test(u) || /\/follow-up$/.test(u)) {
      window.__posts.push({ url: u, body: init && init.body });
      return json(202, /\/handoff$/.test(u) ? (window.__handoffReply || { state: 'waiting' }) : {});
    }
    return realFetch(url, init);
  };
})();
