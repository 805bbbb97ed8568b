//! The API suite: every flow through HTTP against a real server and a real
//! database (SQLite by default, PostgreSQL with ORGDESK_TEST_DATABASE=postgres).

/// `on_pool!(app, |p| body)`: `body` with `p` the app's typed pool
/// (`&SqlitePool` or `&PgPool`), compiled for both backends.
macro_rules! on_pool {
    ($app:expr, |$p:ident| $body:expr) => {
        match &$app.state.db.pool {
            orgdesk_server::db::Pool::Sqlite($p) => $body,
            orgdesk_server::db::Pool::Postgres($p) => $body,
        }
    };
}

mod accounts;
mod across;
mod api_keys;
mod audit;
mod authz;
mod bad_input;
mod concurrency;
mod contention;
mod contention_matrix;
mod events;
mod invitations;
mod members;
mod oidc;
mod ops;
mod orgs;
mod partners;
mod plans;
mod recovery;
mod roles;
mod search;
mod security;
mod smtp;
mod stream;
mod support;
mod webhooks;
