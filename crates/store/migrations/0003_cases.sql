-- Criminal cases (刑事案件): the case file from the first report to prosecution, the
-- people on it, gangs, serial-case links, key areas, special operations and supervision.
-- Dates of procedure (受案, 立案, 破案) are calendar days in China time, stored as
-- 'YYYY-MM-DD' text, which sorts and compares as dates on both backends; moments are unix
-- milliseconds. Personal fields are ciphertext under a data key per case or per person.

CREATE TABLE cases (
    id                   TEXT PRIMARY KEY,
    owner_unit_id        TEXT NOT NULL REFERENCES units (id),
    state                TEXT NOT NULL,
    receipt_number       TEXT,
    -- The county (or any division) where the crime happened, and the day it happened;
    -- both feed serial-case proposals and special operations.
    division             TEXT NOT NULL,
    occurred_on          TEXT NOT NULL,
    tip_id               TEXT,
    summary_enc          {{blob}} NOT NULL,
    data_key_id          TEXT NOT NULL,
    article              TEXT,
    acts                 TEXT NOT NULL,
    means                TEXT NOT NULL,
    exploitation         TEXT NOT NULL,
    missing_person       BIGINT NOT NULL CHECK (missing_person IN (0, 1)),
    accepted_on          TEXT,
    review_started_on    TEXT,
    review_extension     TEXT,
    review_approver      TEXT,
    registered_on        TEXT,
    fast_track           TEXT,
    solved_on            TEXT,
    end_reason           TEXT,
    transfer_to_name     TEXT,
    transfer_to_division TEXT,
    created_by           TEXT NOT NULL,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL,
    CONSTRAINT cases_tip_id_key UNIQUE (tip_id)
);

CREATE INDEX cases_owner_unit_idx ON cases (owner_unit_id, state);
CREATE INDEX cases_state_idx ON cases (state);
CREATE INDEX cases_division_idx ON cases (division, occurred_on);
CREATE INDEX cases_registered_on_idx ON cases (registered_on);
CREATE INDEX cases_solved_on_idx ON cases (solved_on);

CREATE TABLE case_assignments (
    case_id     TEXT NOT NULL REFERENCES cases (id),
    user_id     TEXT NOT NULL REFERENCES users (id),
    assigned_by TEXT NOT NULL,
    assigned_at BIGINT NOT NULL,
    CONSTRAINT case_assignments_case_id_user_id_key UNIQUE (case_id, user_id)
);

CREATE INDEX case_assignments_user_idx ON case_assignments (user_id);

-- Units a case was referred to; they see it masked.
CREATE TABLE case_referrals (
    case_id     TEXT NOT NULL REFERENCES cases (id),
    unit_id     TEXT NOT NULL REFERENCES units (id),
    reason      TEXT NOT NULL,
    referred_by TEXT NOT NULL,
    referred_at BIGINT NOT NULL,
    CONSTRAINT case_referrals_case_id_unit_id_key UNIQUE (case_id, unit_id)
);

CREATE INDEX case_referrals_unit_idx ON case_referrals (unit_id);

-- Every transition, with who made it and why; seq orders a case's history.
CREATE TABLE case_events (
    id            TEXT PRIMARY KEY,
    case_id       TEXT NOT NULL REFERENCES cases (id),
    seq           BIGINT NOT NULL,
    event         TEXT NOT NULL,
    from_state    TEXT NOT NULL,
    to_state      TEXT NOT NULL,
    actor_user_id TEXT NOT NULL,
    reason        TEXT NOT NULL,
    at            BIGINT NOT NULL,
    CONSTRAINT case_events_case_id_seq_key UNIQUE (case_id, seq)
);

CREATE TABLE gangs (
    id            TEXT PRIMARY KEY,
    case_id       TEXT NOT NULL REFERENCES cases (id),
    code_name     TEXT NOT NULL,
    broken_up_on  TEXT,
    created_at    BIGINT NOT NULL
);

CREATE INDEX gangs_case_idx ON gangs (case_id);
CREATE INDEX gangs_broken_up_on_idx ON gangs (broken_up_on);

-- People on a case. Name, ID number, phone and address are sealed under the person's
-- own data key; exact look-ups go through the blind indexes only.
CREATE TABLE case_people (
    id                TEXT PRIMARY KEY,
    case_id           TEXT NOT NULL REFERENCES cases (id),
    role              TEXT NOT NULL CHECK (role IN ('victim', 'suspect', 'gang_member')),
    data_key_id       TEXT NOT NULL,
    name_enc          {{blob}} NOT NULL,
    id_number_enc     {{blob}},
    phone_enc         {{blob}},
    address_enc       {{blob}},
    id_number_bidx    TEXT,
    phone_bidx        TEXT,
    sex               TEXT,
    age_at_event      BIGINT,
    suspect_role      TEXT,
    gang_id           TEXT REFERENCES gangs (id),
    in_custody_on     TEXT,
    rescued_on        TEXT,
    victim_archive_id TEXT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);

CREATE INDEX case_people_case_idx ON case_people (case_id);
CREATE INDEX case_people_id_number_bidx_idx ON case_people (id_number_bidx);
CREATE INDEX case_people_phone_bidx_idx ON case_people (phone_bidx);
CREATE INDEX case_people_rescued_on_idx ON case_people (rescued_on);
CREATE INDEX case_people_in_custody_on_idx ON case_people (in_custody_on);

-- Vehicles, bank or payment accounts and further phones seen in a case, sealed under the
-- case's data key, found by blind index.
CREATE TABLE case_identifiers (
    id         TEXT PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES cases (id),
    kind       TEXT NOT NULL CHECK (kind IN ('phone', 'vehicle', 'account')),
    value_enc  {{blob}} NOT NULL,
    bidx       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT case_identifiers_case_id_kind_bidx_key UNIQUE (case_id, kind, bidx)
);

CREATE INDEX case_identifiers_bidx_idx ON case_identifiers (kind, bidx);

-- A proposed link between two cases that may be one series; case_a < case_b.
CREATE TABLE case_links (
    id            TEXT PRIMARY KEY,
    case_a        TEXT NOT NULL REFERENCES cases (id),
    case_b        TEXT NOT NULL REFERENCES cases (id),
    score         BIGINT NOT NULL,
    reasons       TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('proposed', 'confirmed', 'rejected')),
    review_reason TEXT,
    reviewed_by   TEXT,
    reviewed_at   BIGINT,
    proposed_at   BIGINT NOT NULL,
    CONSTRAINT case_links_case_a_case_b_key UNIQUE (case_a, case_b)
);

CREATE INDEX case_links_case_b_idx ON case_links (case_b);

CREATE TABLE key_areas (
    id         TEXT PRIMARY KEY,
    division   TEXT NOT NULL,
    name       TEXT NOT NULL,
    status     TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE key_area_history (
    key_area_id TEXT NOT NULL REFERENCES key_areas (id),
    seq         BIGINT NOT NULL,
    status      TEXT NOT NULL,
    on_date     TEXT NOT NULL,
    by_user_id  TEXT NOT NULL,
    at          BIGINT NOT NULL,
    CONSTRAINT key_area_history_key_area_id_seq_key UNIQUE (key_area_id, seq)
);

CREATE TABLE special_operations (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    starts_on  TEXT NOT NULL,
    ends_on    TEXT NOT NULL,
    areas      TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE operation_cases (
    operation_id TEXT NOT NULL REFERENCES special_operations (id),
    case_id      TEXT NOT NULL REFERENCES cases (id),
    attached_by  TEXT NOT NULL,
    attached_at  BIGINT NOT NULL,
    CONSTRAINT operation_cases_operation_id_case_id_key UNIQUE (operation_id, case_id)
);

CREATE INDEX operation_cases_case_idx ON operation_cases (case_id);

CREATE TABLE supervisions (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases (id),
    level        TEXT NOT NULL,
    opened_on    TEXT NOT NULL,
    deadline     TEXT NOT NULL,
    concluded_on TEXT,
    opened_by    TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);

CREATE INDEX supervisions_case_idx ON supervisions (case_id);

CREATE TABLE supervision_instructions (
    supervision_id TEXT NOT NULL REFERENCES supervisions (id),
    seq            BIGINT NOT NULL,
    at             BIGINT NOT NULL,
    author_user_id TEXT NOT NULL,
    text           TEXT NOT NULL,
    CONSTRAINT supervision_instructions_supervision_id_seq_key UNIQUE (supervision_id, seq)
);
