-- Whether a Kolibri24 agency lets this app in, from its latest `Authorization` announcement
-- (by the announcement's own time, so one that arrives late does not undo a newer one).
CREATE TABLE kolibri24_access (
    agency_id TEXT PRIMARY KEY,
    revoked BIGINT NOT NULL,
    changed_at BIGINT NOT NULL,
    delivery_id TEXT NOT NULL
);
