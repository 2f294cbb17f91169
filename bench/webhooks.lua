-- wrk: one webhook delivery per request. Lua has no HMAC, so bench/run signs a list of
-- paths beforehand (one per line, each a distinct delivery) and names it in WEBHOOK_PATHS;
-- thread k of WEBHOOK_THREADS (default 2, as wrk -t) takes lines k, k+T, k+2T, … so no two
-- threads send the same delivery. A thread that runs past its share starts over, and the
-- repeats are answered as duplicates (202 too): make the list longer than the run.
local threads = 0
function setup(thread)
  thread:set("thread_index", threads)
  threads = threads + 1
end

local paths = {}
local next_path = 0
function init(args)
  local total = tonumber(os.getenv("WEBHOOK_THREADS") or "2")
  local n = 0
  for line in io.lines(os.getenv("WEBHOOK_PATHS")) do
    if n % total == thread_index then
      paths[#paths + 1] = line
    end
    n = n + 1
  end
end

function request()
  next_path = next_path % #paths + 1
  return wrk.format("GET", paths[next_path])
end
