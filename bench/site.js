// A generated website for bench/perf crawl: PAGES pages of English text (sentences of the retrieval-evaluation
// documents, src/test/resources/eval/docs, picked with a fixed seed, ~2 KB of text each) served on 127.0.0.1:PORT,
// with /sitemap.xml a sitemap index of sitemaps of 1,000 pages each. GET /stats answers {pages_served}.
// node bench/site.js   (PORT, PAGES in the environment)
const http = require('http');
const fs = require('fs');
const path = require('path');

const PORT = Number(process.env.PORT || 18093);
const PAGES = Number(process.env.PAGES || 10000);
const PER_SITEMAP = 1000;
const docs = path.join(__dirname, '..', 'src', 'test', 'resources', 'eval', 'docs');
const sentences = [];
for (const file of fs.readdirSync(docs).sort()) {
  const text = fs.readFileSync(path.join(docs, file), 'utf8').replace(/^#+ .*$/gm, ' ').replace(/\s+/g, ' ');
  for (const s of text.split(/(?<=[.!?])\s+/)) {
    if (s.length > 30) sentences.push(s.trim());
  }
}
let seed = 7;
function random() { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; }
function pick() { return sentences[Math.floor(random() * sentences.length)]; }
const escape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function page(i) {
  seed = 7 + i * 7919;
  let body = '';
  for (let section = 0; section < 3; section++) {
    let text = '';
    while (text.length < 650) text += pick() + ' ';
    body += `<h2>Section ${section + 1} of page ${i}</h2>\n<p>${escape(text.trim())}</p>\n`;
  }
  return `<!doctype html><html><head><title>Page ${i}</title></head><body><nav>Home · Docs · Help</nav>`
    + `<main><h1>Page ${i}</h1>\n${body}</main><footer>Generated for the crawl benchmark</footer></body></html>`;
}

let served = 0;
http.createServer((req, res) => {
  const base = `http://127.0.0.1:${PORT}`;
  const send = (type, text) => { res.writeHead(200, { 'Content-Type': type }); res.end(text); };
  let m;
  if (req.url === '/sitemap.xml') {
    let xml = '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n';
    for (let k = 0; k * PER_SITEMAP < PAGES; k++) xml += `<sitemap><loc>${base}/sitemap-${k}.xml</loc></sitemap>\n`;
    send('application/xml', xml + '</sitemapindex>\n');
  } else if ((m = /^\/sitemap-(\d+)\.xml$/.exec(req.url))) {
    let xml = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n';
    const k = Number(m[1]);
    for (let i = k * PER_SITEMAP; i < Math.min(PAGES, (k + 1) * PER_SITEMAP); i++) xml += `<url><loc>${base}/page/${i}.html</loc></url>\n`;
    send('application/xml', xml + '</urlset>\n');
  } else if ((m = /^\/page\/(\d+)\.html$/.exec(req.url)) && Number(m[1]) < PAGES) {
    served++;
    send('text/html; charset=utf-8', page(Number(m[1])));
  } else if (req.url === '/stats') {
    send('application/json', JSON.stringify({ pages_served: served }));
  } else {
    res.writeHead(404); res.end();
  }
}).listen(PORT, '127.0.0.1');
