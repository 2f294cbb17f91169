-- Whether a customer's stored API credentials still work, as the storefront's last API read
-- with them showed: when, and onOffice's refusal if it refused (NULL: it answered).
ALTER TABLE customers ADD COLUMN api_checked_at BIGINT;
ALTER TABLE customers ADD COLUMN api_error TEXT;
