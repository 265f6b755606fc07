-- Portable SQL for SQLite and PostgreSQL: TEXT, BIGINT (unix milliseconds, 0/1 for
-- booleans) and {{blob}} for ciphertext. Ids are made by the application.
-- Constraint names follow PostgreSQL's own default <table>_<column>_key, which the
-- store reads back to say which value was taken.

CREATE TABLE units (
    id              TEXT PRIMARY KEY,
    name_zh         TEXT NOT NULL,
    name_en         TEXT NOT NULL,
    duties_zh       TEXT NOT NULL,
    duties_en       TEXT NOT NULL,
    is_lead         BIGINT NOT NULL CHECK (is_lead IN (0, 1)),
    sort_order      BIGINT NOT NULL,
    -- No foreign key: users reference units, and PostgreSQL cannot declare the cycle
    -- in one pass. The store checks the user exists when the liaison is set.
    liaison_user_id TEXT,
    created_at      BIGINT NOT NULL
);

CREATE INDEX units_sort_order_idx ON units (sort_order);

CREATE TABLE data_keys (
    id            TEXT PRIMARY KEY,
    subject       TEXT NOT NULL,
    wrapped       {{blob}} NOT NULL,
    master_key_id TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    destroyed_at  BIGINT,
    CONSTRAINT data_keys_subject_key UNIQUE (subject)
);

CREATE INDEX data_keys_master_key_id_idx ON data_keys (master_key_id, id);

CREATE TABLE users (
    id                   TEXT PRIMARY KEY,
    username             TEXT NOT NULL,
    unit_id              TEXT NOT NULL REFERENCES units (id),
    roles                TEXT NOT NULL,
    display_name_enc     {{blob}} NOT NULL,
    phone_enc            {{blob}},
    phone_bidx           TEXT,
    data_key_id          TEXT NOT NULL,
    password_hash        TEXT NOT NULL,
    must_change_password BIGINT NOT NULL CHECK (must_change_password IN (0, 1)),
    totp_secret_enc      {{blob}},
    totp_enrolled        BIGINT NOT NULL CHECK (totp_enrolled IN (0, 1)),
    totp_last_step       BIGINT,
    disabled             BIGINT NOT NULL CHECK (disabled IN (0, 1)),
    failed_logins        BIGINT NOT NULL DEFAULT 0,
    locked_until         BIGINT,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL,
    CONSTRAINT users_username_key UNIQUE (username)
);

CREATE INDEX users_unit_id_idx ON users (unit_id);
CREATE INDEX users_phone_bidx_idx ON users (phone_bidx);

CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    stage      TEXT NOT NULL CHECK (stage IN ('password', 'full')),
    csrf_token TEXT NOT NULL,
    lang       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen  BIGINT NOT NULL,
    ip         TEXT,
    user_agent TEXT
);

CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_last_seen_idx ON sessions (last_seen);

-- The audit log has no foreign keys on purpose: it must outlive any record it names.
CREATE TABLE audit_events (
    seq            BIGINT PRIMARY KEY,
    at             BIGINT NOT NULL,
    request_id     TEXT NOT NULL,
    actor_user_id  TEXT,
    actor_username TEXT NOT NULL,
    actor_unit     TEXT NOT NULL,
    actor_role     TEXT NOT NULL,
    action         TEXT NOT NULL,
    record_type    TEXT NOT NULL,
    record_id      TEXT NOT NULL,
    purpose        TEXT NOT NULL,
    outcome        TEXT NOT NULL,
    detail         TEXT NOT NULL,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL
);

CREATE INDEX audit_events_at_idx ON audit_events (at);
CREATE INDEX audit_events_actor_user_idx ON audit_events (actor_user_id, seq);
CREATE INDEX audit_events_actor_username_idx ON audit_events (actor_username, seq);
CREATE INDEX audit_events_actor_unit_idx ON audit_events (actor_unit, seq);
CREATE INDEX audit_events_record_idx ON audit_events (record_type, record_id, seq);
CREATE INDEX audit_events_action_idx ON audit_events (action, seq);

-- The chain's head: one row that every append updates first. Its row lock is what
-- orders concurrent appends.
CREATE TABLE audit_head (
    id   BIGINT PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);

INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
