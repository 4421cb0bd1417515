-- Sign-in for the web application and the API.
-- credentials and api_tokens are records (audited: who set a password or issued a token, when);
-- web_sessions and sign_in_failures are operational state outside the audit chain.

CREATE TABLE credentials (
    id            TEXT PRIMARY KEY REFERENCES persons (id),
    password_hash TEXT NOT NULL,
    changed_at    BIGINT NOT NULL
);

CREATE TABLE api_tokens (
    id         BIGINT PRIMARY KEY,
    person     TEXT NOT NULL REFERENCES persons (id),
    label      TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_on TEXT,
    revoked_at BIGINT
);

CREATE TABLE web_sessions (
    token_hash   TEXT PRIMARY KEY,
    person       TEXT NOT NULL REFERENCES persons (id),
    csrf         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX web_sessions_person ON web_sessions (person);

CREATE TABLE sign_in_failures (
    account TEXT NOT NULL,
    at      BIGINT NOT NULL
);
CREATE INDEX sign_in_failures_account ON sign_in_failures (account, at);
