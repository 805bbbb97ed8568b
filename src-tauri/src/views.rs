//! The views the UI watches (`commands/views.rs`), by id; removing one stops it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

use orgdesk_client::Watch;

#[derive(Default)]
pub struct Views {
    next: AtomicU32,
    running: Mutex<HashMap<u32, Watch>>,
}

impl Views {
    pub fn add(&self, watch: Watch) -> u32 {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        self.running.lock().unwrap_or_else(|p| p.into_inner()).insert(id, watch);
        id
    }

    pub fn remove(&self, id: u32) {
        let watch = self.running.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
        drop(watch);
    }

    /// How many run (diagnostics).
    pub fn count(&self) -> usize {
        self.running.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}
