-- Orders, priced by the server from the catalogue. Portable SQL: runs on SQLite and PostgreSQL.
CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    customer_web_id TEXT NOT NULL,
    customer_name TEXT NOT NULL,
    user_id TEXT NOT NULL,
    group_id TEXT,
    estate_id TEXT,
    address_id TEXT,
    parameter_cache_id TEXT NOT NULL,
    user_language TEXT,
    kind TEXT NOT NULL,
    items TEXT NOT NULL,
    image_ids TEXT NOT NULL,
    total_cents BIGINT NOT NULL,
    status TEXT NOT NULL,
    transaction_id TEXT,
    message TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX orders_customer ON orders (customer_web_id, created_at);
