/*
 * A small, safe Markdown renderer for chat answers. It builds DOM nodes and sets text with
 * textContent only: no string from the model or the user ever reaches the DOM as HTML.
 * Links are limited to http, https and mailto and open with rel="noopener noreferrer".
 * Images are never loaded: ![alt](url) becomes a link to the image.
 */
(function () {
  'use strict';

  var SAFE_SCHEMES = ['http:', 'https:', 'mailto:'];

  function safeUrl(raw) {
    try {
      var url = new URL(raw, window.location.href);
      return SAFE_SCHEMES.indexOf(url.protocol) >= 0 ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function link(href, children) {
    var a = document.createElement('a');
    a.href = href;
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    children.forEach(function (c) { a.appendChild(c); });
    return a;
  }

  // Inline patterns, tried at each position; the earliest match wins.
  var INLINE = [
    { re: /`([^`\n]+)`/, make: function (m) { var c = document.createElement('code'); c.textContent = m[1]; return c; } },
    { re: /!\[([^\]\n]*)\]\(([^)\s]+)\)/, make: function (m) {
      var href = safeUrl(m[2]);
      var label = document.createTextNode('[image: ' + (m[1] || 'untitled') + ']');
      return href ? link(href, [label]) : label;
    } },
    { re: /\[([^\]\n]+)\]\(([^)\s]+)\)/, make: function (m) {
      var href = safeUrl(m[2]);
      return href ? link(href, inline(m[1])) : document.createTextNode(m[0]);
    } },
    { re: /\*\*([^*\n]+)\*\*|__([^_\n]+)__/, make: function (m) { return wrap('strong', m[1] || m[2]); } },
    { re: /\*([^*\n]+)\*|\b_([^_\n]+)_\b/, make: function (m) { return wrap('em', m[1] || m[2]); } },
    { re: /~~([^~\n]+)~~/, make: function (m) { return wrap('del', m[1]); } },
    { re: /\bhttps?:\/\/[^\s<>()]+[^\s<>().,;:!?'"]/, make: function (m) {
      var href = safeUrl(m[0]);
      return href ? link(href, [document.createTextNode(m[0])]) : document.createTextNode(m[0]);
    } }
  ];

  function wrap(tag, text) {
    var el = document.createElement(tag);
    inline(text).forEach(function (c) { el.appendChild(c); });
    return el;
  }

  function inline(text) {
    var out = [];
    var rest = text;
    while (rest.length) {
      var best = null;
      var bestRule = null;
      for (var i = 0; i < INLINE.length; i++) {
        var m = INLINE[i].re.exec(rest);
        if (m && (best === null || m.index < best.index)) {
          best = m;
          bestRule = INLINE[i];
        }
      }
      if (!best) {
        out.push(document.createTextNode(rest));
        break;
      }
      if (best.index > 0) {
        out.push(document.createTextNode(rest.slice(0, best.index)));
      }
      out.push(bestRule.make(best));
      rest = rest.slice(best.index + best[0].length);
    }
    return out;
  }

  function lines(el, text) {
    text.split('\n').forEach(function (line, i) {
      if (i > 0) {
        el.appendChild(document.createElement('br'));
      }
      inline(line).forEach(function (c) { el.appendChild(c); });
    });
    return el;
  }

  /** Renders Markdown text into a fresh element (a div) and returns it. */
  function render(text) {
    var root = document.createElement('div');
    root.className = 'md';
    var src = String(text == null ? '' : text).replace(/\r\n?/g, '\n').split('\n');
    var i = 0;
    var para = [];

    function flush() {
      if (para.length) {
        root.appendChild(lines(document.createElement('p'), para.join('\n')));
        para = [];
      }
    }

    while (i < src.length) {
      var line = src[i];
      var m;
      if ((m = /^\s*(```|~~~)\s*([\w+-]*)\s*$/.exec(line))) {
        flush();
        var fence = m[1];
        var code = [];
        i++;
        while (i < src.length && src[i].trim() !== fence) {
          code.push(src[i]);
          i++;
        }
        i++;
        var pre = document.createElement('pre');
        var c = document.createElement('code');
        c.textContent = code.join('\n');
        pre.appendChild(c);
        root.appendChild(pre);
        continue;
      }
      if ((m = /^(#{1,6})\s+(.*)$/.exec(line))) {
        flush();
        var level = Math.min(6, m[1].length + 2);
        root.appendChild(lines(document.createElement('h' + level), m[2].replace(/\s+#+\s*$/, '')));
        i++;
        continue;
      }
      if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) {
        flush();
        root.appendChild(document.createElement('hr'));
        i++;
        continue;
      }
      if (/^\s*>/.test(line)) {
        flush();
        var quote = [];
        while (i < src.length && /^\s*>/.test(src[i])) {
          quote.push(src[i].replace(/^\s*>\s?/, ''));
          i++;
        }
        var bq = document.createElement('blockquote');
        bq.appendChild(render(quote.join('\n')));
        root.appendChild(bq);
        continue;
      }
      var ul = /^\s*[-*+]\s+/;
      var ol = /^\s*\d{1,9}[.)]\s+/;
      if (ul.test(line) || ol.test(line)) {
        flush();
        var ordered = ol.test(line);
        var re = ordered ? ol : ul;
        var list = document.createElement(ordered ? 'ol' : 'ul');
        if (ordered) {
          var start = parseInt(line.trim(), 10);
          if (start > 1) {
            list.start = start;
          }
        }
        while (i < src.length && re.test(src[i])) {
          var item = src[i].replace(re, '');
          i++;
          while (i < src.length && /^\s{2,}\S/.test(src[i]) && !ul.test(src[i]) && !ol.test(src[i])) {
            item += '\n' + src[i].trim();
            i++;
          }
          list.appendChild(lines(document.createElement('li'), item));
        }
        root.appendChild(list);
        continue;
      }
      if (!line.trim()) {
        flush();
        i++;
        continue;
      }
      para.push(line);
      i++;
    }
    flush();
    return root;
  }

  window.ParleyMarkdown = { render: render, safeUrl: safeUrl, link: link };
})();
