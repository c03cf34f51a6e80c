/*
 * People in the chat page: the "Talk to a person" button (when the bot's handoff is enabled), the
 * conversation's state in words (a line in the conversation for each change, and a status bar while
 * a person is asked for or present), agents' messages with their names, and the follow-up form when
 * nobody is online. All text goes into the DOM as text. The conversation (#log) is aria-live, so the
 * lines and messages are read out as they come.
 * window.ParleyHandoff.create(page) → {configure, setState, agentMessage, reset, state}; page gives
 * api, log, ensureSession(), scrollDown(), notice(text), changed(state, assignee).
 */
(function () {
  'use strict';

  var EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

  function create(page) {
    var $ = function (id) { return document.getElementById(id); };
    var button = $('handoff');
    var bar = $('state');
    var form = $('follow-up');
    var input = $('input');
    var placeholder = input.placeholder;
    var settings = { enabled: false, message_waiting: null, message_offline: null };
    var state = 'bot';
    var assignee = null;
    var asking = false;
    var followUpSent = false;

    function line(text, kind) {
      var row = document.createElement('div');
      row.className = 'msg event' + (kind ? ' ' + kind : '');
      row.textContent = text;
      page.log.appendChild(row);
      page.scrollDown();
      return row;
    }

    function refresh() {
      button.hidden = !settings.enabled || state === 'waiting' || state === 'human';
      button.disabled = asking;
      var text = state === 'waiting' ? (followUpSent ? 'We will answer by e-mail.' : 'Waiting for a person…')
        : state === 'human' ? 'You are talking with ' + (assignee || 'a person') + '.' : '';
      bar.textContent = text;
      bar.hidden = !text;
      input.placeholder = state === 'human' ? 'Message ' + (assignee || 'the person') + '…' : placeholder;
    }

    /** A change of state: one line in words (unless quiet), the bar, the button; the same state again changes nothing. */
    function setState(next, name, quiet) {
      next = ['bot', 'waiting', 'human', 'closed'].indexOf(next) >= 0 ? next : 'bot';
      name = typeof name === 'string' && name ? name.slice(0, 100) : null;
      if (next === state && (next !== 'human' || name === assignee)) {
        return;
      }
      var before = state;
      var who = assignee;
      state = next;
      assignee = next === 'human' ? name : null;
      if (!quiet) {
        if (next === 'waiting') {
          line('Waiting for a person…', 'state-line state-waiting');
        } else if (next === 'human') {
          line((name || 'A person') + ' joined', 'state-line state-human');
        } else if (next === 'bot' && before === 'human') {
          line((who || 'The person') + ' left; the assistant is back', 'state-line state-bot');
        } else if (next === 'bot') {
          line('The assistant is back', 'state-line state-bot');
        } else if (next === 'closed') {
          line('This conversation was closed. Send a message to start again.', 'state-line state-closed');
        }
      }
      if (next !== 'waiting') {
        form.hidden = true;
      }
      refresh();
      page.changed(state, assignee);
    }

    function agentMessage(m) {
      var name = String(m.agent_name || m.author_name || m.name || 'A person').slice(0, 100);
      var row = document.createElement('div');
      row.className = 'msg agent';
      var who = document.createElement('span');
      who.className = 'who';
      who.textContent = name;
      var said = document.createElement('span');
      said.className = 'sr-only';
      said.textContent = ' said: ';
      var body = document.createElement('div');
      body.className = 'bubble';
      body.textContent = String(m.text || m.content || '');
      row.appendChild(who);
      row.appendChild(said);
      row.appendChild(body);
      page.log.appendChild(row);
      page.scrollDown();
      return row;
    }

    function post(path, body) {
      return fetch(page.api + '/session/' + encodeURIComponent(page.ensureSession()) + path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Accept': 'application/json' },
        body: JSON.stringify(body)
      }).then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (json) {
          if (!r.ok) {
            var e = new Error((json && json.error && json.error.message) || 'HTTP ' + r.status);
            e.status = r.status;
            throw e;
          }
          return json || {};
        });
      });
    }

    function ask() {
      if (asking) {
        return;
      }
      asking = true;
      refresh();
      post('/handoff', {}).then(function (reply) {
        if (reply.offline) {
          setState('waiting', null, true);
          line(String(reply.message || settings.message_offline
            || 'Nobody is available right now. Leave your e-mail address and we will answer you.'), 'offline');
          form.hidden = false;
          $('fu-name').focus();
        } else {
          setState(reply.state || 'waiting', reply.assignee_name);
          if (settings.message_waiting) {
            line(settings.message_waiting, 'waiting-note');
          }
        }
      }).catch(function (e) {
        page.notice(e.status === 429 ? 'Too many requests right now. Please wait a moment and retry.'
          : 'A person could not be asked for right now. Please try again.');
      }).then(function () {
        asking = false;
        refresh();
      });
    }

    function sendFollowUp(e) {
      e.preventDefault();
      var name = $('fu-name').value.trim();
      var email = $('fu-email').value.trim();
      var message = $('fu-message').value.trim();
      var error = $('fu-error');
      var wrong = !name ? ['fu-name', 'Enter your name.'] : !EMAIL.test(email) ? ['fu-email', 'Enter an e-mail address.']
        : !message ? ['fu-message', 'Enter your message.'] : null;
      if (wrong) {
        error.textContent = wrong[1];
        $(wrong[0]).focus();
        return;
      }
      error.textContent = '';
      $('fu-send').disabled = true;
      post('/follow-up', { name: name, email: email, message: message }).then(function () {
        followUpSent = true;
        form.hidden = true;
        form.reset();
        line('Thank you! We will answer you at ' + email + '.', 'follow-up-sent');
        refresh();
        input.focus();
      }).catch(function (err) {
        error.textContent = err.status === 422 || err.status === 400 ? err.message : 'Your message could not be sent. Please try again.';
      }).then(function () {
        $('fu-send').disabled = false;
      });
    }

    button.addEventListener('click', ask);
    form.addEventListener('submit', sendFollowUp);
    form.addEventListener('keydown', function (e) {
      if (e.key === 'Escape') {
        e.stopPropagation();
        form.hidden = true;
        button.focus();
      }
    });

    return {
      configure: function (config) {
        var h = (config && config.handoff) || {};
        settings = { enabled: h.enabled === true, message_waiting: h.message_waiting || null, message_offline: h.message_offline || null };
        refresh();
      },
      setState: setState,
      agentMessage: agentMessage,
      /** A new conversation: back to the bot, nothing said. */
      reset: function () {
        state = 'bot';
        assignee = null;
        followUpSent = false;
        form.hidden = true;
        refresh();
      },
      state: function () { return state; }
    };
  }

  window.ParleyHandoff = { create: create };
})();
