-- wrk script: JSON chat turns. Parley: BODY_KIND=parley (default), path from wrk's URL.
-- Each request cycles through 64 sessions per thread, so memory (history) is on and bounded.
-- Prints one machine-readable line at the end: RESULT req/s p50_ms p99_ms mean_ms requests errors
local kind = os.getenv("BODY_KIND") or "parley"
local counter = 0
local thread_id = 0
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  thread_id = tid or 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

local fake_body = '{"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are a helpful assistant. Answer briefly and accurately."},' ..
  '{"role":"user","content":"Hello there, how are you today?"}],"temperature":0.3,"max_tokens":500}'

function request()
  counter = counter + 1
  if kind == "fake" then
    return wrk.format(nil, nil, nil, fake_body)
  end
  local session = string.format("bench-t%d-s%02d", thread_id, counter % 64)
  return wrk.format(nil, nil, nil,
    '{"message":"Hello there, how are you today?","session_id":"' .. session .. '"}')
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout
  io.write(string.format("RESULT %.1f %.3f %.3f %.3f %d %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.mean / 1000, summary.requests, errors))
end
