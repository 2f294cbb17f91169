-- wrk: create a new order per request (unique idempotency key per thread and request).
local counter = 0
local thread_id = 0
local threads = 0
function setup(thread)
  thread:set("thread_id", threads)
  threads = threads + 1
end
function request()
  counter = counter + 1
  local body = string.format('{"request":{"Products":{"lines":[{"product_id":"expose-text","quantity":1,"circle":null}]}},"idempotency_key":"bench-%s-%d-%d"}', os.getenv("RUN"), thread_id, counter)
  return wrk.format("POST", "/api/create_order", {["Content-Type"] = "application/json", ["Authorization"] = os.getenv("AUTH")}, body)
end
