#!/usr/bin/env node
// Times the chat page's Markdown renderer (webroot/chat/markdown.js) in Node on adversarial answers:
//   node bench/markdown.js [renderer.js] [timeout seconds per measurement, default 30]
// For each shape at 20, 80 and 200 KB: one-shot render(text) in ms, and a streamed render (the text
// in 100 equal parts, the view updated after each, then finished) in ms. A renderer without stream()
// (the old one) is timed as chat.js used it: render(text so far) on every update. Each measurement runs
// in its own process, killed after the timeout. Prints numbers; asserts nothing (see docs/performance.md).
'use strict';
const path = require('path');
const { spawnSync } = require('child_process');
const { load } = require('./markdown-dom.js');

const KB = 1024;
const fill = (unit, size) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
const lines = (make, size) => {
  let out = '';
  for (let k = 0; out.length < size; k++) { out += make(k) + '\n'; }
  return out.slice(0, size);
};
const NORMAL = '## Opening hours\n\nWe are open **Monday to Friday** from 9 to 6, and on *Saturdays* from 10 to 4. '
  + 'See [our page](https://shop.example/hours) or https://shop.example/faq.\n\n- Returns within `30` days\n'
  + '- Receipts: ~~paper~~ email\n  also in the app\n\n1. Ask\n2. Wait\n\n> A quoted _note_.\n\n```\ncode <b>here</b>\n```\n\n';

const SHAPES = {
  'normal Markdown': (n) => fill(NORMAL, n),
  '`*a* ` repeated': (n) => fill('*a* ', n),
  'unclosed `**`': (n) => fill('**a ', n),
  'unclosed `_`': (n) => fill('_a ', n),
  'unclosed `` ` ``': (n) => '`' + fill('a ', n - 1),
  'unclosed `[`': (n) => fill('[a ', n),
  'unclosed `[a](`': (n) => fill('[a](', n),
  'nested lists': (n) => lines((k) => '  '.repeat(k % 40) + '- item *' + k + '*', n),
  'nested quotes': (n) => lines((k) => '> '.repeat(k % 50) + 'quote ' + k, n),
  '`>` run on one line': (n) => fill('>', n) + ' x',
  'long links': (n) => fill('[link](https://example.com/' + 'a'.repeat(4000) + ') https://example.com/' + 'b'.repeat(4000) + ' ', n),
  'heading, spaces, U+2028': (n) => '#' + ' '.repeat(n - 3) + 'a\u2028',
  'heading, spaces before `#`': (n) => '# a' + ' '.repeat(n - 4) + 'b',
  'fence, spaces': (n) => '```' + ' '.repeat(n - 4) + '!',
};

function time(file, shape, kb, report) {
  const md = load(file);
  const text = SHAPES[shape](kb * KB);
  let t0 = process.hrtime.bigint();
  md.render(text);
  const once = Number(process.hrtime.bigint() - t0) / 1e6;
  report(once);
  t0 = process.hrtime.bigint();
  const parts = 100;
  const step = Math.ceil(text.length / parts);
  if (md.stream) {
    const view = md.stream();
    for (let i = 0; i < text.length; i += step) {
      view.append(text.slice(i, i + step));
      view.update();
    }
    view.finish();
  } else {
    for (let i = step; i < text.length + step; i += step) {
      md.render(text.slice(0, i));
    }
  }
  report(Number(process.hrtime.bigint() - t0) / 1e6);
}

if (process.argv[2] === '--one') {
  const [file, shape, kb] = process.argv.slice(3);
  // one line per number, so the render time still shows when the streamed one runs out of time
  time(file, shape, Number(kb), (ms) => process.stdout.write(ms + '\n'));
} else {
  const file = path.resolve(process.argv[2] || path.join(__dirname, '..', 'webroot', 'chat', 'markdown.js'));
  const timeout = Number(process.argv[3] || 30) * 1000;
  const ms = (v) => (v === null ? `> ${timeout / 1000} s` : v.toFixed(1));
  console.log(`renderer: ${path.relative(process.cwd(), file)}; node ${process.version}; timeout ${timeout / 1000} s`);
  console.log('| shape | KB | render ms | streamed (100 updates) ms |');
  console.log('|---|---|---|---|');
  for (const shape of Object.keys(SHAPES)) {
    let slow = false;
    for (const kb of [20, 80, 200]) {
      const result = [null, null];
      if (!slow) {
        const run = spawnSync(process.execPath, [__filename, '--one', file, shape, String(kb)], { timeout, encoding: 'utf8' });
        (run.stdout || '').split('\n').filter(Boolean).forEach((v, i) => { result[i] = Number(v); });
        slow = result[1] === null;
      }
      console.log(`| ${shape} | ${kb} | ${ms(result[0])} | ${ms(result[1])} |`);
    }
  }
}
