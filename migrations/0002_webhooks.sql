-- Webhook deliveries from onOffice enterprise, stored before they are answered, processed
-- by the background worker. Portable SQL: runs on SQLite and PostgreSQL.
CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    -- SHA-256 of service, signed string and signature: a repeated call is stored once.
    dedupe_key TEXT NOT NULL UNIQUE,
    service TEXT NOT NULL,
    customer_web_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    -- The verified parameters as a JSON object.
    params TEXT NOT NULL,
    -- queued, working, retry, done, failed
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    last_error TEXT,
    received_at BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    -- While `working`: when the claim runs out and another worker may take it over.
    locked_until BIGINT,
    processed_at BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_received ON webhook_deliveries (received_at);

-- Written by the `valuation_request` handler; one row per delivery.
CREATE TABLE valuation_requests (
    delivery_id TEXT PRIMARY KEY,
    customer_web_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    estate_id TEXT NOT NULL,
    email TEXT,
    requested_at BIGINT NOT NULL
);
