-- The live Subscriptions (status requested or active, channel rest-hook), kept by every write
-- of a Subscription: what a write of another resource is matched against.
CREATE TABLE subscriptions (
    res_id TEXT PRIMARY KEY NOT NULL, -- the Subscription's id
    criteria_type TEXT NOT NULL,      -- the resource type its criteria search
    criteria TEXT NOT NULL            -- the criteria's query, after the '?'
);
CREATE INDEX subscriptions_type ON subscriptions (criteria_type);

-- The notifications still to deliver: one per Subscription and version that matched it,
-- stored in the transaction of the write that made the version. A row leaves the queue when
-- it is delivered or given up.
CREATE TABLE notifications (
    pk BIGSERIAL PRIMARY KEY,
    subscription TEXT NOT NULL,       -- the Subscription's id
    res_type TEXT NOT NULL,
    res_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    due BIGINT NOT NULL,              -- when to try (next), microseconds since the epoch
    attempts INTEGER NOT NULL,        -- tries so far
    last_error TEXT
);
CREATE INDEX notifications_due ON notifications (due, pk);
CREATE INDEX notifications_subscription ON notifications (subscription, pk);
