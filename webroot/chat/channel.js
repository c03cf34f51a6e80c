/*
 * The visitor channel of the chat page: GET {api}/session/{session_id}/events, server-sent events that
 * carry what reaches the visitor outside their own request (an agent's messages, the conversation's
 * state, a bot answer in progress). Each event's id is where the channel stands: a number (the last
 * event of the conversation's log) or, inside an answer, number:message_id:offset. Whenever the
 * connection drops (or the server ends it) it connects again with ?after=<that id> (the browser adds
 * Last-Event-ID too), so nothing is missed; a log event whose number it already had is skipped.
 * window.ParleyChannel.connect(url, after, {event(type, data, id), open(again)}) → {close(), last()};
 * last() is the number of the last log event, the place to start from after a reload.
 */
(function () {
  'use strict';

  var TYPES = ['message', 'state', 'delta', 'answer_done'];
  var LOG = { message: true, state: true };
  var MAX_WAIT = 30000;

  function connect(url, after, handlers) {
    var logged = typeof after === 'number' && after > 0 ? after : 0;
    var cursor = String(logged);
    var source = null;
    var timer = 0;
    var wait = 1000;
    var closed = false;
    var opened = 0;

    function receive(e) {
      var id = e.lastEventId || '';
      var n = parseInt(id, 10);
      if (LOG[e.type] && isFinite(n) && n <= logged) {
        return;
      }
      var data;
      try {
        data = JSON.parse(e.data);
      } catch (err) {
        return;
      }
      if (id) {
        cursor = id;
      }
      if (LOG[e.type] && isFinite(n)) {
        logged = n;
      }
      wait = 1000;
      handlers.event(e.type, data && typeof data === 'object' ? data : {}, id || null);
    }

    function start() {
      timer = 0;
      if (closed) {
        return;
      }
      source = new EventSource(url + (url.indexOf('?') < 0 ? '?' : '&') + 'after=' + encodeURIComponent(cursor));
      source.onopen = function () {
        opened++;
        if (handlers.open) {
          handlers.open(opened > 1);
        }
      };
      TYPES.forEach(function (type) { source.addEventListener(type, receive); });
      // The browser's own retry keeps the first URL (an old ?after=); a fresh connection names the last id.
      source.onerror = function () {
        source.close();
        source = null;
        if (!closed && !timer) {
          timer = setTimeout(start, wait);
          wait = Math.min(MAX_WAIT, wait * 2);
        }
      };
    }

    start();
    return {
      close: function () {
        closed = true;
        clearTimeout(timer);
        if (source) {
          source.close();
        }
      },
      last: function () {
        var n = parseInt(cursor, 10);
        return isFinite(n) && n > logged ? n : logged;
      }
    };
  }

  window.ParleyChannel = { connect: connect };
})();
