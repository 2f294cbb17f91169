-- Every attempt at a delivery, for the provider's page: when it ended and how.
-- `retry_round` counts the provider's "retry now" re-queues of a delivery that had failed; each
-- round numbers its attempts from 1 again.
CREATE TABLE webhook_attempts (
    delivery_id TEXT NOT NULL,
    retry_round BIGINT NOT NULL,
    attempt BIGINT NOT NULL,
    finished_at BIGINT NOT NULL,
    -- done, retry or failed
    outcome TEXT NOT NULL,
    error TEXT,
    PRIMARY KEY (delivery_id, retry_round, attempt)
);

-- The provider's last "retry now" of a delivery: which round it started, when and by whom.
ALTER TABLE webhook_deliveries ADD COLUMN retry_round BIGINT NOT NULL DEFAULT 0;
ALTER TABLE webhook_deliveries ADD COLUMN retried_at BIGINT;
ALTER TABLE webhook_deliveries ADD COLUMN retried_by TEXT;
