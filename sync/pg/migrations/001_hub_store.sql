-- The hub's store on PostgreSQL: the same tables as an SQLite hub's database (db/schema.py and
-- sync/store.py), with the same rules. Numbers are BIGINT (clocks are milliseconds), blobs BYTEA.

CREATE TABLE events (
    station_id TEXT NOT NULL,
    seq BIGINT NOT NULL CHECK (seq >= 1),
    hlc BIGINT NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    clock_suspect INTEGER NOT NULL DEFAULT 0,
    sig BYTEA,
    chain BYTEA,
    -- The order rows arrived in this store (SQLite's rowid): what "since position" reads.
    pos BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    PRIMARY KEY (station_id, seq)
);
CREATE INDEX events_order ON events (hlc, station_id, seq);
CREATE INDEX events_kind ON events (kind);

-- The log is append-only, enforced by PostgreSQL itself (not only by our code).
CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the event log is append-only: events cannot be changed or deleted';
END $$;
CREATE TRIGGER events_no_update BEFORE UPDATE OR DELETE ON events FOR EACH ROW EXECUTE FUNCTION events_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();

-- Every commit that adds events wakes the long-polls of every hub on this store.
CREATE FUNCTION events_announce() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('eventops_log', '');
    RETURN NULL;
END $$;
CREATE TRIGGER events_news AFTER INSERT ON events FOR EACH STATEMENT EXECUTE FUNCTION events_announce();

CREATE TABLE clock (id INTEGER PRIMARY KEY CHECK (id = 1), last_hlc BIGINT NOT NULL);
INSERT INTO clock (id, last_hlc) VALUES (1, 0);
CREATE TABLE node (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE authors (station_id TEXT PRIMARY KEY, kind TEXT NOT NULL, public_key BYTEA NOT NULL, voucher TEXT NOT NULL);
CREATE TABLE revocations (station_id TEXT PRIMARY KEY, up_to BIGINT NOT NULL);
CREATE TABLE pending (
    station_id TEXT NOT NULL, seq BIGINT NOT NULL, sig BYTEA NOT NULL, hlc BIGINT NOT NULL,
    kind TEXT NOT NULL, data TEXT NOT NULL, received_ms BIGINT NOT NULL,
    PRIMARY KEY (station_id, seq, sig)
);
CREATE TABLE evidence (
    station_id TEXT NOT NULL, seq BIGINT NOT NULL, sig BYTEA NOT NULL, hlc BIGINT NOT NULL,
    kind TEXT NOT NULL, data TEXT NOT NULL, found_ms BIGINT NOT NULL,
    PRIMARY KEY (station_id, seq, sig)
);

CREATE TABLE sync_tokens (
    station_id TEXT PRIMARY KEY, kind TEXT NOT NULL, role TEXT NOT NULL, enrol_hash TEXT, token_hash TEXT,
    created_ms BIGINT NOT NULL, enrolled_ms BIGINT, revoked_ms BIGINT
);
CREATE INDEX sync_tokens_token ON sync_tokens (token_hash);
CREATE TABLE sync_token_copies (
    token_hash TEXT PRIMARY KEY, station_id TEXT NOT NULL, kind TEXT NOT NULL, role TEXT NOT NULL,
    revoked_ms BIGINT, source TEXT NOT NULL
);
CREATE TABLE sync_quarantine (
    station_id TEXT NOT NULL, seq BIGINT NOT NULL, hlc BIGINT NOT NULL, kind TEXT NOT NULL, data TEXT NOT NULL,
    via TEXT NOT NULL, received_ms BIGINT NOT NULL,
    PRIMARY KEY (station_id, seq)
);

-- The hubs serving this store, so an enrolment can name them all (a station fails over).
CREATE TABLE hubs (url TEXT PRIMARY KEY, seen_ms BIGINT NOT NULL);

-- A role for hub logins that may read and append the log but never change it: grant it to the
-- login the hubs use (`GRANT eventops_hub TO hub_login`). Skipped where the migrating login may
-- not create roles (a managed PostgreSQL): the triggers above hold either way.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'eventops_hub') THEN
        CREATE ROLE eventops_hub NOLOGIN;
    END IF;
    GRANT SELECT, INSERT ON events TO eventops_hub;
    REVOKE UPDATE, DELETE, TRUNCATE ON events FROM eventops_hub;
    GRANT SELECT, INSERT, UPDATE, DELETE ON clock, node, authors, revocations, pending, evidence, sync_tokens,
        sync_token_copies, sync_quarantine, hubs TO eventops_hub;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'eventops_hub role not created: %', SQLERRM;
END $$;
REVOKE UPDATE, DELETE, TRUNCATE ON events FROM PUBLIC;
