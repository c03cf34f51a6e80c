/*
 * The visitor channel of the chat page: GET {api}/session/{session_id}/events, server-sent events that
 * carry what reaches the visitor outside their own request (an agent's messages, the conversation's
 * state, a bot answer in progress). Each event has an id; the channel remembers the last one and,
 * whenever the connection drops (or the server ends it), connects again with ?after=<that id> and
 * the Last-Event-ID header the browser adds, so nothing is missed and nothing is drawn twice.
 * window.ParleyChannel.connect(url, after, {event(type, data, id), open(again)}) → {close(), last()}.
 */
(function () {
  'use strict';

  var TYPES = ['message', 'state', 'delta', 'answer_done'];
  var MAX_WAIT = 30000;

  function connect(url, after, handlers) {
    var last = typeof after === 'number' && after > 0 ? after : 0;
    var source = null;
    var timer = 0;
    var wait = 1000;
    var closed = false;
    var opened = 0;

    function receive(e) {
      var id = Number(e.lastEventId);
      var numbered = e.lastEventId !== '' && isFinite(id);
      if (numbered && id <= last) {
        return;
      }
      var data;
      try {
        data = JSON.parse(e.data);
      } catch (err) {
        return;
      }
      if (numbered) {
        last = id;
      }
      wait = 1000;
      handlers.event(e.type, data && typeof data === 'object' ? data : {}, numbered ? id : null);
    }

    function start() {
      timer = 0;
      if (closed) {
        return;
      }
      source = new EventSource(url + (url.indexOf('?') < 0 ? '?' : '&') + 'after=' + last);
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
      last: function () { return last; }
    };
  }

  window.ParleyChannel = { connect: connect };
})();
