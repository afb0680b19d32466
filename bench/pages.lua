-- wrk script for bench/pages.py: for each request, a random path from the file given after `--`
-- ("random", the default), or the file's paths one after another from a random start ("walk":
-- no path asked twice until the list is done); prints one JSON line of results (latencies in
-- microseconds) when done.
local paths = {}
local walk = false
local cursor = 0

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  walk = args[2] == "walk"
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
  cursor = math.random(#paths) - 1
end

function request()
  if walk then
    cursor = cursor % #paths + 1
    return wrk.format("GET", paths[cursor])
  end
  return wrk.format("GET", paths[math.random(#paths)])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
    '"p50":%d,"p90":%d,"p95":%d,"p99":%d,"max":%d,"mean":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean))
end
