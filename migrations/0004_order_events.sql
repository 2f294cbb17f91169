-- Every change of an order's status, with its time and the callback that caused it; the
-- first view of a callback's result claims `session_issued` (a replay gets no new session).
CREATE TABLE order_events (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    reference TEXT,
    callback_key TEXT,
    session_issued INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX order_events_order ON order_events (order_id, at);
CREATE UNIQUE INDEX order_events_callback ON order_events (callback_key);
