-- Sign in with OpenID Connect. A flow is one round trip through a
-- provider: only the SHA-256 of its `state` is stored (the server's PKCE
-- verifier and the nonce are derived from the state, so nothing secret is
-- at rest), with the app's own PKCE challenge and redirect, and the hash of
-- the invitation it carries. Single use, 10 minutes.
CREATE TABLE oidc_flows (
    state_hash      TEXT PRIMARY KEY,
    provider        TEXT NOT NULL,
    app_challenge   TEXT NOT NULL,
    app_redirect    TEXT NOT NULL,
    invitation_hash TEXT,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    used_at         BIGINT
);
CREATE INDEX oidc_flows_created ON oidc_flows(created_at);

-- Which account a provider's subject signs in to.
CREATE TABLE oidc_links (
    provider   TEXT NOT NULL,
    subject    TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (provider, subject)
);
CREATE INDEX oidc_links_user ON oidc_links(user_id);

-- The one-time code the app exchanges for a session: SHA-256 stored, single
-- use, 2 minutes, bound to the app's PKCE challenge.
CREATE TABLE oidc_codes (
    code_hash     TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    provider      TEXT NOT NULL,
    app_challenge TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    used_at       BIGINT
);
CREATE INDEX oidc_codes_created ON oidc_codes(created_at);

-- The provider of a sign-in through one (NULL: a password sign-in).
ALTER TABLE security_events ADD COLUMN provider TEXT;
