-- wrk script for bench/run.sh, configured through the environment:
--   BENCH_METHOD    GET (default), POST, PATCH, ...
--   BENCH_PATH      request path; "{id}" is replaced by a random line of BENCH_IDS per request
--   BENCH_IDS       file with one id per line
--   BENCH_BODY      file whose content is sent as the JSON body
--   DD_API_KEY, DD_APP_KEY   sent as DD-API-KEY / DD-APPLICATION-KEY when both are set
--   BENCH_DELAY_MS  wait this long before each request on a connection (throttled runs)
--   BENCH_OUT       where done() writes the summary as one JSON object

local method = os.getenv("BENCH_METHOD") or "GET"
local path = os.getenv("BENCH_PATH") or "/"
local ids_file = os.getenv("BENCH_IDS")
local body_file = os.getenv("BENCH_BODY")
local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "")
local out_file = os.getenv("BENCH_OUT")

local requests = {}

function init(args)
  local headers = { ["Host"] = wrk.host .. ":" .. wrk.port }
  local api_key, app_key = os.getenv("DD_API_KEY"), os.getenv("DD_APP_KEY")
  if api_key and app_key then
    headers["DD-API-KEY"] = api_key
    headers["DD-APPLICATION-KEY"] = app_key
  end

  local body = nil
  if body_file then
    local f = assert(io.open(body_file, "rb"))
    body = f:read("*a")
    f:close()
    headers["Content-Type"] = "application/json"
  end

  if ids_file and path:find("{id}", 1, true) then
    for id in io.lines(ids_file) do
      if #id > 0 then
        local p = path:gsub("{id}", id)
        requests[#requests + 1] = wrk.format(method, p, headers, body)
      end
    end
  else
    requests[1] = wrk.format(method, path, headers, body)
  end
  assert(#requests > 0, "no requests: is BENCH_IDS empty?")
  math.randomseed(math.floor(os.clock() * 1000000) + os.time())
end

function request()
  return requests[math.random(#requests)]
end

if delay_ms then
  function delay()
    return delay_ms
  end
end

function done(summary, latency, _)
  local e = summary.errors
  local seconds = summary.duration / 1000000
  local json = string.format(
    '{"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,"mean_ms":%.3f,"non_2xx_3xx":%d,"socket_errors":%d}',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000,
    e.status, e.connect + e.read + e.write + e.timeout)
  if out_file then
    local f = assert(io.open(out_file, "w"))
    f:write(json, "\n")
    f:close()
  end
  io.write(json, "\n")
end
