-- wrk script: POST the same signed body with a unique X-GitHub-Delivery per request.
-- The signature covers the body only, so one precomputed signature serves every request.
local body_file = os.getenv("INGEST_BODY_FILE")
local signature = os.getenv("INGEST_SIGNATURE")
local run_id = os.getenv("INGEST_RUN_ID") or "run"

local f = assert(io.open(body_file, "rb"))
local body = f:read("*a")
f:close()

local threads = {}
local counter = 0

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  counter = 0
end

function request()
  counter = counter + 1
  local headers = {
    ["Content-Type"] = "application/json",
    ["User-Agent"] = "GitHub-Hookshot/bench",
    ["X-GitHub-Event"] = "issues",
    ["X-GitHub-Delivery"] = run_id .. "-" .. thread_id .. "-" .. counter,
    ["X-Hub-Signature-256"] = signature,
  }
  return wrk.format("POST", "/api/github/webhooks", headers, body)
end

function done(summary, latency, requests)
  io.write(string.format(
    "RESULT {\"requests\": %d, \"duration_us\": %d, \"errors_status\": %d, \"errors_connect\": %d, " ..
    "\"errors_read\": %d, \"errors_write\": %d, \"errors_timeout\": %d, " ..
    "\"p50_us\": %d, \"p90_us\": %d, \"p99_us\": %d}\n",
    summary.requests, summary.duration, summary.errors.status, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99)))
end
