-- Every payment callback received for an order, once per distinct signed URL (a replay of
-- the same URL is the same callback): applied, repeated, ignored (not allowed from the
-- order's status) or refused (signature or freshness; recorded only for an order that
-- exists). `key` is the SHA-256 of the callback's query.
CREATE TABLE order_callbacks (
    key TEXT PRIMARY KEY,
    order_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    -- The status the callback asked for, or why it was refused.
    detail TEXT NOT NULL
);
CREATE INDEX order_callbacks_order ON order_callbacks (order_id, at);
