-- wrk: create a new order per request (unique idempotency key per thread and request), each
-- from the next of the sessions in $TOKENS (one per line; one user may place 20 orders in
-- 10 minutes, so the orders are spread over many users).
local counter = 0
local thread_id = 0
local threads = 0
local tokens = {}
function setup(thread)
  thread:set("thread_id", threads)
  threads = threads + 1
end
function init(args)
  for line in io.lines(os.getenv("TOKENS")) do tokens[#tokens + 1] = "Bearer " .. line end
end
function request()
  counter = counter + 1
  local token = tokens[((counter * 2 + thread_id) % #tokens) + 1]
  local body = string.format('{"request":{"Products":{"lines":[{"product_id":"expose-text","quantity":1,"circle":null}]}},"idempotency_key":"bench-%s-%d-%d"}', os.getenv("RUN"), thread_id, counter)
  return wrk.format("POST", "/api/create_order", {["Content-Type"] = "application/json", ["Authorization"] = token}, body)
end
