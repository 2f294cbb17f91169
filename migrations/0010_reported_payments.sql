-- A payment callback without a signature is only what the browser reports: it never moves
-- the order, but the order keeps what it claimed (status, transaction or subscription id,
-- when) until the provider confirms or cancels it against onOffice's transaction overview.
ALTER TABLE orders ADD COLUMN reported_status TEXT;
ALTER TABLE orders ADD COLUMN reported_reference TEXT;
ALTER TABLE orders ADD COLUMN reported_at BIGINT;
