-- One inbound pipeline for every host: a delivery names the host it came from
-- (onoffice, kolibri24, oneflow); `service` is what routes it to a handler there
-- (the onOffice webhook service, the Kolibri24 category, the Oneflow notification).
ALTER TABLE webhook_deliveries ADD COLUMN host TEXT NOT NULL DEFAULT 'onoffice';

-- What the Kolibri24 `Entity` handler records: one row per announcement.
CREATE TABLE entity_changes (
    delivery_id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    name TEXT NOT NULL,
    changed_at BIGINT NOT NULL
);
CREATE INDEX entity_changes_entity ON entity_changes (agency_id, entity_id);

-- Orders from every host: a Kolibri24 widget's request names the entity's type (the
-- entity itself is `estate_id`); a product fulfilled by a Oneflow contract keeps the
-- contract's id and how far it got (created, sent, signed, declined).
ALTER TABLE orders ADD COLUMN host TEXT NOT NULL DEFAULT 'onoffice';
ALTER TABLE orders ADD COLUMN entity_type TEXT;
ALTER TABLE orders ADD COLUMN contract_id TEXT;
ALTER TABLE orders ADD COLUMN fulfilment TEXT;

-- The per-user order limit counts one user's recent orders; with only the customer in the
-- index that count read every recent order of a large office, and slowed each new order.
CREATE INDEX orders_customer_user ON orders (customer_web_id, user_id, created_at);

-- The steps of one order numbered 1, 2, …: two steps in the same second kept their order
-- only by chance when sorted by time and a random id.
ALTER TABLE order_events ADD COLUMN step BIGINT NOT NULL DEFAULT 0;
