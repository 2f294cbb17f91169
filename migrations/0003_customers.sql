-- Customers who activated the provider: their onOffice API token and key, encrypted with
-- MARKTSTAND_CREDENTIALS_KEY (XChaCha20-Poly1305, bound to the customer's web id).
CREATE TABLE customers (
    customer_web_id TEXT PRIMARY KEY,
    credentials TEXT NOT NULL,
    activated_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
