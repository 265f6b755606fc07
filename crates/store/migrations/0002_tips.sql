-- Tips (举报线索). Everything a reporter wrote is sealed under the tip's own data key
-- (subject `tip:<id>`); what stays in clear is what triage, deadlines and figures need:
-- state, urgency, source, county, times, and the non-identifying shape of the people at
-- risk. Phones, plates and accounts are found again only through blind indexes.

CREATE TABLE tips (
    id                 TEXT PRIMARY KEY,
    tracking_code      TEXT NOT NULL,
    -- HMAC-SHA256 of code and secret under the index key; the secret itself is not kept.
    secret_hash        TEXT NOT NULL,
    source_kind        TEXT NOT NULL,
    source_detail      TEXT,
    owner_unit_id      TEXT NOT NULL REFERENCES units (id),
    division           TEXT NOT NULL,
    occurred_date      TEXT NOT NULL,
    occurred_time      TEXT,
    people_at_risk     TEXT NOT NULL,
    child_involved     BIGINT NOT NULL CHECK (child_involved IN (0, 1)),
    immediate_danger   BIGINT NOT NULL CHECK (immediate_danger IN (0, 1)),
    urgency            TEXT NOT NULL CHECK (urgency IN ('urgent', 'normal')),
    received_at        BIGINT NOT NULL,
    ack_deadline       BIGINT NOT NULL,
    state              TEXT NOT NULL CHECK (state IN ('received', 'acknowledged', 'under_review', 'no_action_pending', 'decided')),
    assignee_user_id   TEXT REFERENCES users (id),
    acknowledged_at    BIGINT,
    escalated_at       BIGINT,
    decision           TEXT CHECK (decision IN ('open_case', 'join_case', 'refer', 'no_action')),
    -- The case a decision points to: the cases register fills it for open_case.
    case_ref           TEXT,
    decided_by         TEXT REFERENCES users (id),
    decided_at         BIGINT,
    entered_by         TEXT REFERENCES users (id),
    data_key_id        TEXT NOT NULL,
    what_happened_enc  {{blob}} NOT NULL,
    address_enc        {{blob}},
    suspects_enc       {{blob}},
    vehicles_enc       {{blob}},
    phones_enc         {{blob}},
    accounts_enc       {{blob}},
    contact_enc        {{blob}},
    updated_at         BIGINT NOT NULL,
    CONSTRAINT tips_tracking_code_key UNIQUE (tracking_code)
);

CREATE INDEX tips_owner_unit_id_idx ON tips (owner_unit_id, received_at);
CREATE INDEX tips_assignee_user_id_idx ON tips (assignee_user_id);
CREATE INDEX tips_state_idx ON tips (state, ack_deadline);
CREATE INDEX tips_division_idx ON tips (division, received_at);

-- Blind indexes of the identifiers a tip names (kind: phone, plate, account).
CREATE TABLE tip_identifiers (
    tip_id TEXT NOT NULL REFERENCES tips (id) ON DELETE CASCADE,
    kind   TEXT NOT NULL CHECK (kind IN ('phone', 'plate', 'account')),
    bidx   TEXT NOT NULL,
    CONSTRAINT tip_identifiers_tip_id_key UNIQUE (tip_id, kind, bidx)
);

CREATE INDEX tip_identifiers_bidx_idx ON tip_identifiers (kind, bidx);

-- The tip's history, oldest first; `detail` never holds personal data.
CREATE TABLE tip_events (
    id            TEXT PRIMARY KEY,
    tip_id        TEXT NOT NULL REFERENCES tips (id) ON DELETE CASCADE,
    at            BIGINT NOT NULL,
    actor_user_id TEXT,
    kind          TEXT NOT NULL,
    detail        TEXT NOT NULL
);

CREATE INDEX tip_events_tip_id_idx ON tip_events (tip_id, at);

-- Photos, stripped of metadata before sealing.
CREATE TABLE tip_photos (
    id           TEXT PRIMARY KEY,
    tip_id       TEXT NOT NULL REFERENCES tips (id) ON DELETE CASCADE,
    position     BIGINT NOT NULL,
    content_type TEXT NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
    size_bytes   BIGINT NOT NULL CHECK (size_bytes > 0 AND size_bytes <= 5242880),
    photo_enc    {{blob}} NOT NULL,
    created_at   BIGINT NOT NULL,
    CONSTRAINT tip_photos_tip_id_key UNIQUE (tip_id, position)
);

-- What the reporter added later with code and secret, sealed like the tip.
CREATE TABLE tip_additions (
    id       TEXT PRIMARY KEY,
    tip_id   TEXT NOT NULL REFERENCES tips (id) ON DELETE CASCADE,
    at       BIGINT NOT NULL,
    text_enc {{blob}} NOT NULL
);

CREATE INDEX tip_additions_tip_id_idx ON tip_additions (tip_id, at);

-- A referral to another unit, which the receiving unit must acknowledge.
CREATE TABLE tip_referrals (
    tip_id          TEXT PRIMARY KEY REFERENCES tips (id) ON DELETE CASCADE,
    to_unit_id      TEXT NOT NULL REFERENCES units (id),
    reason_enc      {{blob}} NOT NULL,
    referred_by     TEXT NOT NULL REFERENCES users (id),
    referred_at     BIGINT NOT NULL,
    acknowledged_by TEXT REFERENCES users (id),
    acknowledged_at BIGINT
);

CREATE INDEX tip_referrals_to_unit_id_idx ON tip_referrals (to_unit_id, acknowledged_at);

-- Proposals to take no action and their second review; rejected ones stay as history.
CREATE TABLE tip_no_action_reviews (
    id          TEXT PRIMARY KEY,
    tip_id      TEXT NOT NULL REFERENCES tips (id) ON DELETE CASCADE,
    reason_enc  {{blob}} NOT NULL,
    proposed_by TEXT NOT NULL REFERENCES users (id),
    proposed_at BIGINT NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('pending', 'approved', 'rejected')),
    reviewed_by TEXT REFERENCES users (id),
    reviewed_at BIGINT
);

CREATE INDEX tip_no_action_reviews_tip_id_idx ON tip_no_action_reviews (tip_id, proposed_at);
