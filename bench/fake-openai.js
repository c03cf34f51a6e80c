#!/usr/bin/env node
// A minimal OpenAI-compatible model server for benchmarks: POST /v1/chat/completions on
// 127.0.0.1:$PORT (default 8091), no delay, a fixed ~40-token answer, JSON or SSE
// ("stream": true, with the usage chunk when stream_options.include_usage is set).
// A model named "hold-<ms>" streams: the first delta at once, then holds the stream open for
// <ms> before the rest, so many streams stay open at the same time.
// Single process, single thread, like the fake limits.md measured (19k req/s there).
// With H2_PORT set it also serves HTTP/2 without TLS (h2c, prior knowledge) there, for Parley's
// provider.http2 mode: many streams share one connection, as they would with a vendor's HTTP/2 API.
'use strict';
const http = require('http');
const http2 = require('http2');

const port = Number(process.env.PORT || 8091);
const ANSWER = 'Thanks for asking. Our shop is open from nine to six on weekdays and from ten to four on ' +
  'Saturdays; returns are accepted within thirty days with a receipt, and support answers within a day.';
const WORDS = ANSWER.split(/(?= )/); // word chunks keeping their leading space
let served = 0;

function completion(model) {
  return JSON.stringify({
    id: 'chatcmpl-bench', object: 'chat.completion', created: Math.floor(Date.now() / 1000), model,
    choices: [{ index: 0, message: { role: 'assistant', content: ANSWER, refusal: null }, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: 20, completion_tokens: WORDS.length, total_tokens: 20 + WORDS.length },
    system_fingerprint: null,
  });
}

function chunk(model, delta, finish) {
  return 'data: ' + JSON.stringify({
    id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model,
    system_fingerprint: null, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  }) + '\n\n';
}

function stream(res, model, usage) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const hold = /^hold-(\d+)$/.exec(model);
  res.write(chunk(model, { role: 'assistant', content: '' }, null) + chunk(model, { content: WORDS[0] }, null));
  const rest = () => {
    if (res.destroyed || (res.stream && res.stream.destroyed)) return;
    let out = '';
    for (let i = 1; i < WORDS.length; i++) out += chunk(model, { content: WORDS[i] }, null);
    out += chunk(model, {}, 'stop');
    if (usage) {
      out += 'data: ' + JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', model, choices: [],
        usage: { prompt_tokens: 20, completion_tokens: WORDS.length, total_tokens: 20 + WORDS.length } }) + '\n\n';
    }
    res.end(out + 'data: [DONE]\n\n');
  };
  if (hold) setTimeout(rest, Number(hold[1])); else rest();
}

function handle(req, res) {
  if (req.method === 'GET' && req.url === '/stats') {
    res.end(JSON.stringify({ served }));
    return;
  }
  if (req.method !== 'POST' || !req.url.endsWith('/chat/completions')) {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":{"message":"not found","type":"invalid_request_error"}}');
    return;
  }
  const parts = [];
  req.on('data', (c) => parts.push(c));
  req.on('end', () => {
    served++;
    let body;
    try { body = JSON.parse(Buffer.concat(parts).toString('utf8')); } catch (e) { body = {}; }
    const model = body.model || 'gpt-4o-mini';
    if (body.stream) {
      stream(res, model, body.stream_options && body.stream_options.include_usage);
    } else {
      const out = completion(model);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
      res.end(out);
    }
  });
}

const server = http.createServer(handle);
server.keepAliveTimeout = 120000;
server.headersTimeout = 125000;
server.maxConnections = 0 || Infinity;
server.listen(port, '127.0.0.1', () => console.log('fake-openai listening on 127.0.0.1:' + port));
if (process.env.H2_PORT) {
  const h2 = http2.createServer({ settings: { maxConcurrentStreams: 1000000 }, maxSessionMemory: 1000 }, handle);
  h2.listen(Number(process.env.H2_PORT), '127.0.0.1', () => console.log('fake-openai h2c on 127.0.0.1:' + process.env.H2_PORT));
}
