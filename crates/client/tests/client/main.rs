//! The client against a real server in this process, a real SQLite cache and
//! the real keychain (Secret Service under dbus; see scripts/test.d/20-client.sh).

mod accounts;
mod across;
mod api;
mod integrations;
mod live;
mod offline;
mod partners;
mod secrets;
mod support;
mod sync;
mod vault;
