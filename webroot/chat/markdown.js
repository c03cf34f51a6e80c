/*
 * A small, safe Markdown renderer for chat answers. It builds DOM nodes and sets text with
 * textContent only: no string from the model or the user ever reaches the DOM as HTML.
 * Links are limited to http, https and mailto and open with rel="noopener noreferrer".
 * Images are never loaded: ![alt](url) becomes a link to the image.
 *
 * Its work is linear in the text: blocks are found line by line with regular expressions that
 * cannot backtrack, inline markup in one left-to-right pass with a bounded stack of emphasis
 * openers, and every search ahead (closing backtick, bracket, end of a URL) remembers where it
 * stopped, so no character is scanned again for a later candidate. Nesting is capped (quotes,
 * emphasis) so a crafted answer cannot build a DOM too deep to lay out.
 *
 * stream() renders an answer while it arrives: blocks that later text cannot change (a paragraph
 * followed by a blank line, a closed code fence, a list followed by another block) are rendered
 * once and kept; only the open last block is rendered again on each update. render(text) is
 * stream() fed the whole text at once, so both give the same DOM.
 */
(function () {
  'use strict';

  var SAFE_SCHEMES = ['http:', 'https:', 'mailto:'];
  var MAX_QUOTE_DEPTH = 8;     // deeper '>' markers stay text
  var MAX_OPENERS = 32;        // emphasis openers waiting for a closer; later ones stay text
  var MAX_RUN = 3;             // longer runs of * or _ stay text

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

  // ---- inline: one line at a time --------------------------------------------------------

  var SPACE = /\s/;
  var WORD = /\w/;
  var URL_END = /[\s<>()]/g;
  var LINK_END = /[)\s]/g;
  var TRAILING = '.,;:!?\'"';

  /**
   * Searches ahead in one text, remembering each answer: the parser only ever asks from positions
   * that grow, so an answer still holds for a later question that starts before it.
   */
  function Ahead(text) {
    this.text = text;
    this.memo = {};
  }

  /** The first position >= from of a character matching the global regex re (named key), or -1. */
  Ahead.prototype.find = function (key, re, from) {
    var m = this.memo[key];
    if (m && from >= m.from && (m.at < 0 || m.at >= from)) {
      return m.at;
    }
    re.lastIndex = from;
    var hit = re.exec(this.text);
    var at = hit ? hit.index : -1;
    this.memo[key] = { from: from, at: at };
    return at;
  };

  var BACKTICK = /`/g;
  var CLOSE_BRACKET = /\]/g;

  /** Appends items (strings and nodes) to el, adjacent strings as one text node. */
  function fill(el, items) {
    var text = '';
    for (var i = 0; i < items.length; i++) {
      if (typeof items[i] === 'string') {
        text += items[i];
      } else {
        if (text) {
          el.appendChild(document.createTextNode(text));
          text = '';
        }
        el.appendChild(items[i]);
      }
    }
    if (text) {
      el.appendChild(document.createTextNode(text));
    }
    return el;
  }

  function isSpace(c) {
    return c === '' || SPACE.test(c);
  }

  function isWord(c) {
    return c !== '' && WORD.test(c);
  }

  /**
   * A [label](url) at text[at] ('[' there): the positions of ']' and ')' or null. The label has no
   * ']' (and may be empty only for images), the url no space or ')'.
   */
  function bracket(text, ahead, at, image) {
    var close = ahead.find(']', CLOSE_BRACKET, at + 1);
    if (close < 0 || (close === at + 1 && !image) || text.charAt(close + 1) !== '(') {
      return null;
    }
    var end = ahead.find(')', LINK_END, close + 2);
    if (end <= close + 2 || text.charAt(end) !== ')') {
      return null;
    }
    return { close: close, end: end };
  }

  /** The inline markup of one line as DOM nodes: code, links, emphasis (* _ ~~), bare URLs. */
  function inline(text, inLink) {
    var out = [];          // strings and nodes, in order
    var openers = [];      // emphasis runs that may still open: { ch, n, index in out }
    var waiting = { '*': 0, '_': 0, '~': 0 };
    var ahead = new Ahead(text);
    var mark = 0;          // text[mark, i) is plain text not yet in out
    var i = 0;

    function flush(to) {
      if (to > mark) {
        out.push(text.slice(mark, to));
      }
    }

    function emphasis(ch, n) {
      var before = i > 0 ? text.charAt(i - 1) : '';
      var after = text.charAt(i + n);
      var canOpen = !isSpace(after);
      var canClose = !isSpace(before);
      if (ch === '_') {
        // snake_case stays text: an underscore opens after, and closes before, a non-word character
        canOpen = canOpen && !isWord(before);
        canClose = canClose && !isWord(after);
      }
      if ((ch === '~' && n !== 2) || n > MAX_RUN) {
        canOpen = canClose = false;
      }
      flush(i);
      var left = n;
      while (canClose && left > 0 && waiting[ch] > 0) {
        var top = openers[openers.length - 1];
        if (top.ch !== ch) {
          // an opener of another kind inside this span never closes: it stays text
          openers.pop();
          waiting[top.ch]--;
          continue;
        }
        var use = ch === '~' ? 2 : (left >= 2 && top.n >= 2 ? 2 : 1);
        var el = fill(document.createElement(ch === '~' ? 'del' : use === 2 ? 'strong' : 'em'), out.splice(top.index + 1));
        top.n -= use;
        out[top.index] = out[top.index].slice(use);
        out.push(el);
        left -= use;
        if (top.n === 0) {
          openers.pop();
          waiting[ch]--;
        }
      }
      if (left > 0) {
        out.push(text.slice(i + n - left, i + n));
        if (canOpen && openers.length < MAX_OPENERS) {
          openers.push({ ch: ch, n: left, index: out.length - 1 });
          waiting[ch]++;
        }
      }
      i += n;
      mark = i;
    }

    while (i < text.length) {
      var c = text.charAt(i);
      if (c === '`') {
        var close = ahead.find('`', BACKTICK, i + 1);
        if (close > i + 1) {
          flush(i);
          var code = document.createElement('code');
          code.textContent = text.slice(i + 1, close);
          out.push(code);
          i = mark = close + 1;
          continue;
        }
      } else if (c === '[' || (c === '!' && text.charAt(i + 1) === '[')) {
        var image = c === '!';
        var at = image ? i + 1 : i;
        var b = inLink ? null : bracket(text, ahead, at, image);
        if (b) {
          flush(i);
          var label = text.slice(at + 1, b.close);
          var href = safeUrl(text.slice(b.close + 2, b.end));
          if (!href) {
            out.push(text.slice(i, b.end + 1));
          } else if (image) {
            out.push(link(href, [document.createTextNode('[image: ' + (label || 'untitled') + ']')]));
          } else {
            out.push(link(href, [inline(label, true)]));
          }
          i = mark = b.end + 1;
          continue;
        }
      } else if (c === '*' || c === '_' || c === '~') {
        var n = 1;
        while (text.charAt(i + n) === c) {
          n++;
        }
        emphasis(c, n);
        continue;
      } else if (c === 'h' && !inLink && !isWord(i > 0 ? text.charAt(i - 1) : '')
          && (text.startsWith('http://', i) || text.startsWith('https://', i))) {
        var start = text.indexOf('//', i) + 2;
        var end = ahead.find('url', URL_END, start);
        end = end < 0 ? text.length : end;
        while (end > start && TRAILING.indexOf(text.charAt(end - 1)) >= 0) {
          end--;
        }
        if (end - start >= 2) {
          flush(i);
          var url = text.slice(i, end);
          var safe = safeUrl(url);
          out.push(safe ? link(safe, [document.createTextNode(url)]) : url);
          i = mark = end;
          continue;
        }
      }
      i++;
    }
    flush(text.length);
    return fill(document.createDocumentFragment(), out);
  }

  /** Lines of one block: inline markup per line, a <br> between lines. */
  function lines(el, text) {
    text.split('\n').forEach(function (line, i) {
      if (i > 0) {
        el.appendChild(document.createElement('br'));
      }
      el.appendChild(inline(line, false));
    });
    return el;
  }

  // ---- blocks: line by line --------------------------------------------------------------

  // Each pattern is anchored and its neighbouring parts match disjoint characters, so none backtracks.
  var FENCE = /^(```|~~~)\s*[\w+-]*$/;       // on a trimmed line
  var HEADING = /^(#{1,6})\s+([^]*)$/;
  var RULE = /^([-*_])(?:\s*\1){2,}$/;    // on a trimmed line
  var QUOTE = /^\s*>/;
  var QUOTE_MARK = /^\s*>\s?/;
  var UL = /^\s*[-*+]\s+/;
  var OL = /^\s*\d{1,9}[.)]\s+/;
  var MORE = /^\s{2,}\S/;

  function blank(line) {
    return !line.trim();
  }

  function startsBlock(line, depth) {
    var t = line.trim();
    return FENCE.test(t) || HEADING.test(line) || RULE.test(t) || (depth < MAX_QUOTE_DEPTH && QUOTE.test(line))
      || UL.test(line) || OL.test(line);
  }

  /** A heading's text without closing hashes ("## Title ##" → "Title"). */
  function headingText(text) {
    var end = text.length;
    while (end > 0 && SPACE.test(text.charAt(end - 1))) {
      end--;
    }
    var hashes = end;
    while (hashes > 0 && text.charAt(hashes - 1) === '#') {
      hashes--;
    }
    if (hashes === end || hashes === 0 || !SPACE.test(text.charAt(hashes - 1))) {
      return text;
    }
    while (hashes > 0 && SPACE.test(text.charAt(hashes - 1))) {
      hashes--;
    }
    return text.slice(0, hashes);
  }

  /**
   * The blocks of src (an array of lines) from line i: each { build(): node, end: the line after it,
   * seen: the last line looked at to find its end (src.length when it ran to the end) }.
   */
  function blocks(src, depth) {
    var out = [];
    var i = 0;
    var n = src.length;
    while (i < n) {
      var line = src[i];
      var t = line.trim();
      var m;
      var block;
      if (!t) {
        i++;
        continue;
      }
      if ((m = FENCE.exec(t))) {
        var fence = m[1];
        var j = i + 1;
        while (j < n && src[j].trim() !== fence) {
          j++;
        }
        block = codeBlock(src.slice(i + 1, j));
        block.seen = j;
        block.end = Math.min(j + 1, n);
      } else if ((m = HEADING.exec(line))) {
        block = heading(m[1].length, m[2]);
        block.seen = i;
        block.end = i + 1;
      } else if (RULE.test(t)) {
        block = { build: function () { return document.createElement('hr'); } };
        block.seen = i;
        block.end = i + 1;
      } else if (depth < MAX_QUOTE_DEPTH && QUOTE.test(line)) {
        var q = i;
        while (q < n && QUOTE.test(src[q])) {
          q++;
        }
        block = quote(src.slice(i, q), depth);
        block.seen = block.end = q;
      } else if (UL.test(line) || OL.test(line)) {
        block = list(src, i);
      } else {
        var p = i + 1;
        while (p < n && !blank(src[p]) && !startsBlock(src[p], depth)) {
          p++;
        }
        block = paragraph(src.slice(i, p));
        block.seen = block.end = p;
      }
      out.push(block);
      i = block.end;
    }
    return out;
  }

  function codeBlock(code) {
    return { build: function () {
      var pre = document.createElement('pre');
      var c = document.createElement('code');
      c.textContent = code.join('\n');
      pre.appendChild(c);
      return pre;
    } };
  }

  function heading(hashes, text) {
    return { build: function () {
      return lines(document.createElement('h' + Math.min(6, hashes + 2)), headingText(text));
    } };
  }

  function quote(quoted, depth) {
    return { build: function () {
      var bq = document.createElement('blockquote');
      var inner = document.createElement('div');
      inner.className = 'md';
      blocks(quoted.map(function (l) { return l.replace(QUOTE_MARK, ''); }), depth + 1)
        .forEach(function (b) { inner.appendChild(b.build()); });
      bq.appendChild(inner);
      return bq;
    } };
  }

  function paragraph(para) {
    return { build: function () { return lines(document.createElement('p'), para.join('\n')); } };
  }

  /** A list from src[i]: items while the lines are items of the same kind, with their indented lines. */
  function list(src, i) {
    var n = src.length;
    var ordered = !UL.test(src[i]);
    var re = ordered ? OL : UL;
    var start = ordered ? parseInt(src[i].trim(), 10) : 1;
    var items = [];
    while (i < n && re.test(src[i])) {
      var item = [src[i].replace(re, '')];
      i++;
      while (i < n && MORE.test(src[i]) && !UL.test(src[i]) && !OL.test(src[i])) {
        item.push(src[i].trim());
        i++;
      }
      items.push(item.join('\n'));
    }
    return {
      seen: i,
      end: i,
      build: function () {
        var el = document.createElement(ordered ? 'ol' : 'ul');
        if (start > 1) {
          el.start = start;
        }
        items.forEach(function (item) { el.appendChild(lines(document.createElement('li'), item)); });
        return el;
      }
    };
  }

  // ---- rendering ---------------------------------------------------------------------------

  /**
   * An answer rendered as it arrives: append(text) adds to it, update() shows what arrived,
   * finish() shows the whole answer. element is the div to put in the page.
   */
  function stream() {
    var root = document.createElement('div');
    root.className = 'md';
    var pending = '';  // the text after the kept blocks, \r\n and \r as \n
    var cr = false;    // the last chunk ended in \r: a \n starting the next one is the same line end
    var open = [];     // the nodes rendered from pending, replaced on each update

    function show(final) {
      var src = pending.split('\n');
      // the last line may still grow, so only blocks decided by the lines before it are kept
      var complete = final ? src.length : src.length - 1;
      var list = blocks(src, 0);
      open.forEach(function (node) { node.remove(); });
      open = [];
      var kept = 0;
      list.forEach(function (block) {
        var node = block.build();
        root.appendChild(node);
        if (open.length === 0 && (final || block.seen < complete)) {
          kept = block.end;
        } else {
          open.push(node);
        }
      });
      if (kept > 0) {
        pending = final ? '' : src.slice(kept).join('\n');
      }
    }

    return {
      element: root,
      append: function (chunk) {
        chunk = String(chunk == null ? '' : chunk);
        if (cr && chunk.charAt(0) === '\n') {
          chunk = chunk.slice(1);
        }
        cr = chunk.charAt(chunk.length - 1) === '\r';
        pending += chunk.replace(/\r\n?/g, '\n');
      },
      update: function () { show(false); },
      finish: function () { show(true); }
    };
  }

  /** Renders Markdown text into a fresh element (a div) and returns it. */
  function render(text) {
    var view = stream();
    view.append(text);
    view.finish();
    return view.element;
  }

  window.ParleyMarkdown = { render: render, stream: stream, safeUrl: safeUrl, link: link };
})();
