-- The queue runs more than webhooks: each row names the runner it goes to. Host deliveries
-- are `webhook`; a contract created for an order was stored as a Oneflow delivery with the
-- service `create-contract` and is that job now.
ALTER TABLE webhook_deliveries ADD COLUMN job TEXT NOT NULL DEFAULT 'webhook';
UPDATE webhook_deliveries SET job = 'create-contract' WHERE host = 'oneflow' AND service = 'create-contract';
