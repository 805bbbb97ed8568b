//! The offline cache of one account: a SQLite file whose row payloads are
//! sealed with XChaCha20-Poly1305 under a key kept in the keychain. Row names
//! hold only ids (or a keyed hash, for an email), never personal data.
//!
//! A file that is not SQLite, fails its integrity check or was sealed with
//! another key is discarded and rebuilt, with a [`CacheNotice`] for the UI.
//! The schema is append-only: a newer binary may add tables, and an older
//! one keeps reading the tables it knows.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use sqlx::Row;

use crate::cache_keys::Key;
use crate::error::{Error, Result};
use crate::sensitive::Sensitive;
use crate::snapshot::now_rfc3339;

/// The schema this binary writes. Versions are only ever added to.
pub(crate) const SCHEMA_VERSION: i64 = 1;
const KEY_CHECK: &[u8] = b"orgdesk cache key check";
const NONCE_LEN: usize = 24;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
-- One cached answer per name, e.g. 'orgs' or 'roles/<org id>'.
CREATE TABLE IF NOT EXISTS entries (
    name TEXT PRIMARY KEY,
    etag TEXT,
    synced_at TEXT NOT NULL,
    sealed BLOB NOT NULL
);
-- A member list as the pages it was fetched in, so a re-sync can ask for each
-- page with its own ETag.
CREATE TABLE IF NOT EXISTS member_pages (
    org_id TEXT NOT NULL,
    page_no INTEGER NOT NULL,
    etag TEXT,
    sealed BLOB NOT NULL,
    PRIMARY KEY (org_id, page_no)
);
";

/// Something the UI should tell the user about the cache, e.g. that it was
/// unreadable and rebuilt.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheNotice {
    pub message: String,
    pub at: String,
}

/// A cached value with its freshness.
#[derive(Clone, Debug)]
pub(crate) struct Entry<T> {
    pub value: T,
    pub etag: Option<String>,
    pub synced_at: String,
}

/// One stored page of members.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct StoredPage<T> {
    pub cursor: Option<String>,
    pub next_cursor: Option<String>,
    pub etag: Option<String>,
    pub items: Vec<T>,
}

pub(crate) struct Cache {
    pool: SqlitePool,
    cipher: XChaCha20Poly1305,
    /// Keys the hashes that stand in for emails in row names.
    name_key: [u8; 32],
    path: Option<PathBuf>,
    notices: Mutex<Vec<CacheNotice>>,
}

impl Cache {
    /// Opens the file at `path` (or an in-memory cache for `None`),
    /// rebuilding it when it is unusable.
    pub async fn open(path: Option<&Path>, key: &Sensitive<String>) -> Result<Cache> {
        let key = decode_key(key)?;
        match Cache::try_open(path, &key).await {
            Ok(cache) => Ok(cache),
            Err(reason) => {
                tracing::warn!(%reason, "the offline cache is unusable; rebuilding it");
                if let Some(path) = path {
                    remove_files(path);
                }
                let cache = Cache::try_open(path, &key).await.map_err(Error::Storage)?;
                cache.notice(format!(
                    "The offline cache could not be read ({reason}) and was rebuilt; it fills again as you browse."
                ));
                Ok(cache)
            }
        }
    }

    async fn try_open(path: Option<&Path>, key: &[u8; 32]) -> std::result::Result<Cache, String> {
        let options = match path {
            // One file, no WAL beside it: what is on disk is all in it.
            Some(p) => {
                SqliteConnectOptions::new().filename(p).create_if_missing(true).journal_mode(SqliteJournalMode::Delete)
            }
            None => SqliteConnectOptions::new().in_memory(true),
        };
        // One connection: an in-memory database lives and dies with it.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await
            .map_err(|e| e.to_string())?;
        let check: String =
            sqlx::query_scalar("PRAGMA quick_check").fetch_one(&pool).await.map_err(|e| e.to_string())?;
        if check != "ok" {
            return Err(format!("integrity check: {check}"));
        }
        sqlx::raw_sql(SCHEMA).execute(&pool).await.map_err(|e| e.to_string())?;
        let cache = Cache {
            pool,
            cipher: XChaCha20Poly1305::new(key.into()),
            name_key: Sha256::digest([b"names".as_slice(), key].concat()).into(),
            path: path.map(Path::to_owned),
            notices: Mutex::new(Vec::new()),
        };
        cache.check_meta().await?;
        Ok(cache)
    }

    /// Records the schema version and proves the key opens this file.
    async fn check_meta(&self) -> std::result::Result<(), String> {
        let version: Option<Vec<u8>> = sqlx::query_scalar("SELECT value FROM meta WHERE key = 'schema_version'")
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| e.to_string())?;
        let version = version.and_then(|v| String::from_utf8(v).ok()).and_then(|v| v.parse::<i64>().ok());
        match version {
            // A newer binary wrote this file; its extra tables are ignored.
            Some(v) if v > SCHEMA_VERSION => {
                tracing::info!(found = v, known = SCHEMA_VERSION, "cache written by a newer Orgdesk");
            }
            Some(_) => {}
            None => {
                sqlx::query("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)")
                    .bind(SCHEMA_VERSION.to_string().into_bytes())
                    .execute(&self.pool)
                    .await
                    .map_err(|e| e.to_string())?;
            }
        }
        let sealed: Option<Vec<u8>> = sqlx::query_scalar("SELECT value FROM meta WHERE key = 'key_check'")
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| e.to_string())?;
        match sealed {
            Some(sealed) => match self.open_sealed("key_check", &sealed) {
                Some(plain) if plain == KEY_CHECK => Ok(()),
                _ => Err("it was sealed with another key".into()),
            },
            None => {
                let sealed = self.seal("key_check", KEY_CHECK).map_err(|e| e.to_string())?;
                sqlx::query("INSERT INTO meta (key, value) VALUES ('key_check', ?)")
                    .bind(sealed)
                    .execute(&self.pool)
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(())
            }
        }
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn notices(&self) -> Vec<CacheNotice> {
        self.notices.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn notice(&self, message: String) {
        self.notices.lock().unwrap_or_else(|p| p.into_inner()).push(CacheNotice { message, at: now_rfc3339() });
    }

    /// A row name for data keyed by something personal, such as an email.
    pub fn private_name(&self, prefix: &str, secret: &str) -> String {
        let digest = Sha256::digest([&self.name_key[..], secret.as_bytes()].concat());
        let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
        format!("{prefix}/{hex}")
    }

    fn seal(&self, aad: &str, plain: &[u8]) -> Result<Vec<u8>> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self
            .cipher
            .encrypt(&nonce, Payload { msg: plain, aad: aad.as_bytes() })
            .map_err(|_| Error::Storage("encryption failed".into()))?;
        Ok([nonce.as_slice(), &sealed].concat())
    }

    fn open_sealed(&self, aad: &str, sealed: &[u8]) -> Option<Vec<u8>> {
        open_sealed(&self.cipher, aad, sealed)
    }

    /// Opens and parses a payload; an unreadable one is reported and `None`.
    fn unseal<T: DeserializeOwned>(&self, aad: &str, sealed: &[u8]) -> Option<T> {
        let value = self.open_sealed(aad, sealed).and_then(|plain| serde_json::from_slice(&plain).ok());
        if value.is_none() {
            tracing::warn!(row = aad, "dropping an unreadable cache row");
            self.notice("Part of the offline cache could not be read and was discarded.".into());
        }
        value
    }

    pub async fn get<T: DeserializeOwned>(&self, key: &Key<T>) -> Result<Option<Entry<T>>> {
        let name = key.name();
        let row = sqlx::query("SELECT etag, synced_at, sealed FROM entries WHERE name = ?")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let sealed: Vec<u8> = row.try_get("sealed")?;
        match self.unseal(name, &sealed) {
            Some(value) => Ok(Some(Entry { value, etag: row.try_get("etag")?, synced_at: row.try_get("synced_at")? })),
            None => {
                self.remove(key).await?;
                Ok(None)
            }
        }
    }

    /// Stores what the server just answered; returns its sync time (now).
    pub async fn put<T: Serialize>(&self, key: &Key<T>, value: &T, etag: Option<&str>) -> Result<String> {
        self.put_synced_at(key, value, etag, now_rfc3339()).await
    }

    /// Stores a local change to cached data, keeping the time the server
    /// last confirmed it.
    pub async fn put_synced_at<T: Serialize>(
        &self,
        key: &Key<T>,
        value: &T,
        etag: Option<&str>,
        synced_at: String,
    ) -> Result<String> {
        let name = key.name();
        let plain = serde_json::to_vec(value).map_err(|e| Error::Storage(e.to_string()))?;
        let sealed = self.seal(name, &plain)?;
        sqlx::query("INSERT OR REPLACE INTO entries (name, etag, synced_at, sealed) VALUES (?, ?, ?, ?)")
            .bind(name)
            .bind(etag)
            .bind(&synced_at)
            .bind(sealed)
            .execute(&self.pool)
            .await?;
        Ok(synced_at)
    }

    /// The server confirmed the entry (304): only its sync time moves.
    pub async fn touch<T>(&self, key: &Key<T>) -> Result<String> {
        let synced_at = now_rfc3339();
        sqlx::query("UPDATE entries SET synced_at = ? WHERE name = ?")
            .bind(&synced_at)
            .bind(key.name())
            .execute(&self.pool)
            .await?;
        Ok(synced_at)
    }

    /// Every stored payload, opened (for tests that check what is cached).
    pub async fn opened_payloads(&self) -> Result<Vec<Vec<u8>>> {
        let mut out = Vec::new();
        for row in sqlx::query("SELECT name, sealed FROM entries").fetch_all(&self.pool).await? {
            let name: String = row.try_get("name")?;
            let sealed: Vec<u8> = row.try_get("sealed")?;
            out.extend(self.open_sealed(&name, &sealed));
        }
        for row in sqlx::query("SELECT org_id, page_no, sealed FROM member_pages").fetch_all(&self.pool).await? {
            let org_id: String = row.try_get("org_id")?;
            let page_no: i64 = row.try_get("page_no")?;
            let sealed: Vec<u8> = row.try_get("sealed")?;
            out.extend(self.open_sealed(&page_aad(&org_id, page_no), &sealed));
        }
        Ok(out)
    }

    /// Whether a row is stored under `key` (nothing decrypted).
    pub async fn contains<T>(&self, key: &Key<T>) -> Result<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM entries WHERE name = ?")
            .bind(key.name())
            .fetch_one(&self.pool)
            .await?;
        Ok(n > 0)
    }

    pub async fn remove<T>(&self, key: &Key<T>) -> Result<()> {
        sqlx::query("DELETE FROM entries WHERE name = ?").bind(key.name()).execute(&self.pool).await?;
        Ok(())
    }

    /// The stored pages of an org's member list, in order. `None` when any
    /// page is missing or unreadable.
    pub async fn member_pages<T: DeserializeOwned>(&self, org_id: &str) -> Result<Option<Vec<StoredPage<T>>>> {
        let rows = sqlx::query("SELECT page_no, sealed FROM member_pages WHERE org_id = ? ORDER BY page_no")
            .bind(org_id)
            .fetch_all(&self.pool)
            .await?;
        if rows.is_empty() {
            return Ok(None);
        }
        let mut pages = Vec::with_capacity(rows.len());
        for (expected, row) in rows.iter().enumerate() {
            let page_no: i64 = row.try_get("page_no")?;
            let sealed: Vec<u8> = row.try_get("sealed")?;
            let page = (page_no == expected as i64).then(|| self.unseal(&page_aad(org_id, page_no), &sealed)).flatten();
            match page {
                Some(page) => pages.push(page),
                None => {
                    self.clear_member_pages(org_id).await?;
                    return Ok(None);
                }
            }
        }
        Ok(Some(pages))
    }

    /// The stored pages of an org's member list, in order, each opened and
    /// handed to `decode` — on two threads, while the pages are still
    /// being read, and without holding every sealed and opened page at
    /// once. `None` when any page is missing or unreadable (the pages are
    /// dropped, with a notice, as [`Cache::member_pages`] does).
    pub async fn decode_member_pages<R: Send + 'static>(
        &self,
        org_id: &str,
        decode: fn(&[u8]) -> Option<R>,
    ) -> Result<Option<Vec<R>>> {
        /// Pages read per statement and handed to a thread at once (about
        /// 0.8 MB for full pages): few hand-offs, as waking a thread that
        /// sleeps costs much on a virtual machine.
        const BATCH: i64 = 16;
        let (jobs, queue) = std::sync::mpsc::channel::<Vec<(i64, Vec<u8>)>>();
        let queue = std::sync::Arc::new(Mutex::new(queue));
        let workers: Vec<_> = (0..2)
            .map(|_| {
                let (queue, cipher, org_id) = (queue.clone(), self.cipher.clone(), org_id.to_owned());
                tokio::task::spawn_blocking(move || {
                    let mut out = Vec::new();
                    loop {
                        let job = queue.lock().unwrap_or_else(|p| p.into_inner()).recv();
                        let Ok(batch) = job else { return out };
                        for (n, sealed) in batch {
                            let page = open_sealed(&cipher, &page_aad(&org_id, n), &sealed).and_then(|p| decode(&p));
                            out.push((n, page));
                        }
                    }
                })
            })
            .collect();
        // One transaction: every page from the same state of the list (the
        // cache has one connection, so no writer comes between the reads).
        let mut tx = self.pool.begin().await?;
        let mut read = 0i64;
        let mut complete = true;
        loop {
            let rows = sqlx::query(
                "SELECT page_no, sealed FROM member_pages WHERE org_id = ? AND page_no >= ? ORDER BY page_no LIMIT ?",
            )
            .bind(org_id)
            .bind(read)
            .bind(BATCH)
            .fetch_all(&mut *tx)
            .await?;
            let last = (rows.len() as i64) < BATCH;
            let mut batch = Vec::with_capacity(rows.len());
            for row in rows {
                let page_no: i64 = row.try_get("page_no")?;
                if page_no != read {
                    complete = false;
                    break;
                }
                read += 1;
                batch.push((page_no, row.try_get("sealed")?));
            }
            // A worker that stopped (a panic) shows below as a lost page.
            let _ = jobs.send(batch);
            if last || !complete {
                break;
            }
        }
        tx.commit().await?;
        drop(jobs);
        let mut pages: Vec<Option<R>> = (0..read).map(|_| None).collect();
        for worker in workers {
            for (n, page) in worker.await.unwrap_or_default() {
                pages[n as usize] = page;
            }
        }
        if read == 0 && complete {
            return Ok(None);
        }
        match pages.into_iter().collect::<Option<Vec<R>>>() {
            Some(pages) if complete => Ok(Some(pages)),
            _ => {
                tracing::warn!(org_id, "dropping the unreadable cached member list");
                self.notice("Part of the offline cache could not be read and was discarded.".into());
                self.clear_member_pages(org_id).await?;
                Ok(None)
            }
        }
    }

    /// Whether any page of the org's member list is stored (nothing decrypted).
    pub async fn has_member_pages(&self, org_id: &str) -> Result<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM member_pages WHERE org_id = ?")
            .bind(org_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(n > 0)
    }

    /// Replaces an org's member pages in one transaction.
    pub async fn put_member_pages<T: Serialize>(&self, org_id: &str, pages: &[StoredPage<T>]) -> Result<()> {
        let mut sealed = Vec::with_capacity(pages.len());
        for (n, page) in pages.iter().enumerate() {
            let plain = serde_json::to_vec(page).map_err(|e| Error::Storage(e.to_string()))?;
            sealed.push(self.seal(&page_aad(org_id, n as i64), &plain)?);
        }
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM member_pages WHERE org_id = ?").bind(org_id).execute(&mut *tx).await?;
        for (n, (blob, page)) in sealed.into_iter().zip(pages).enumerate() {
            sqlx::query("INSERT INTO member_pages (org_id, page_no, etag, sealed) VALUES (?, ?, ?, ?)")
                .bind(org_id)
                .bind(n as i64)
                .bind(&page.etag)
                .bind(blob)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Some stored pages of an org's member list, by page number; `None`
    /// when any of them is missing or unreadable.
    pub async fn member_pages_numbered<T: DeserializeOwned>(
        &self,
        org_id: &str,
        numbers: &[usize],
    ) -> Result<Option<Vec<(usize, StoredPage<T>)>>> {
        if numbers.is_empty() {
            return Ok(Some(Vec::new()));
        }
        // One query for all of them (a bulk change of 600 members can touch
        // most of the 500 pages of a large org).
        let mut out = Vec::with_capacity(numbers.len());
        for chunk in numbers.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let sql = format!(
                "SELECT page_no, sealed FROM member_pages WHERE org_id = ? AND page_no IN ({marks}) ORDER BY page_no"
            );
            let mut query = sqlx::query(&sql).bind(org_id);
            for &n in chunk {
                query = query.bind(n as i64);
            }
            let rows = query.fetch_all(&self.pool).await?;
            if rows.len() != chunk.len() {
                return Ok(None);
            }
            for row in rows {
                let n: i64 = row.try_get("page_no")?;
                let sealed: Vec<u8> = row.try_get("sealed")?;
                match self.unseal(&page_aad(org_id, n), &sealed) {
                    Some(page) => out.push((n as usize, page)),
                    None => return Ok(None),
                }
            }
        }
        Ok(Some(out))
    }

    /// Writes some pages of an org's member list over the stored ones (by
    /// page number), in one transaction; the other pages stay as they are.
    pub async fn replace_member_pages<T: Serialize>(
        &self,
        org_id: &str,
        pages: &[(usize, StoredPage<T>)],
    ) -> Result<()> {
        let mut sealed = Vec::with_capacity(pages.len());
        for (n, page) in pages {
            let plain = serde_json::to_vec(page).map_err(|e| Error::Storage(e.to_string()))?;
            sealed.push(self.seal(&page_aad(org_id, *n as i64), &plain)?);
        }
        let mut tx = self.pool.begin().await?;
        for (blob, (n, page)) in sealed.into_iter().zip(pages) {
            sqlx::query("UPDATE member_pages SET etag = ?, sealed = ? WHERE org_id = ? AND page_no = ?")
                .bind(&page.etag)
                .bind(blob)
                .bind(org_id)
                .bind(*n as i64)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The sealed bytes of each stored page of an org's member list, in
    /// order (for tests that check which pages a change rewrote).
    pub async fn sealed_member_pages(&self, org_id: &str) -> Result<Vec<Vec<u8>>> {
        Ok(sqlx::query_scalar("SELECT sealed FROM member_pages WHERE org_id = ? ORDER BY page_no")
            .bind(org_id)
            .fetch_all(&self.pool)
            .await?)
    }

    pub async fn clear_member_pages(&self, org_id: &str) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM member_pages WHERE org_id = ?").bind(org_id).execute(&mut *tx).await?;
        // The kept top rows go with the list they were taken from.
        sqlx::query("DELETE FROM entries WHERE name = ?")
            .bind(crate::cache_keys::member_first_window(org_id).name())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// When the server last confirmed anything kept here (the newest sync
    /// time of any row), for "last synced" after a restart while offline.
    pub async fn newest_sync(&self) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT MAX(synced_at) FROM entries").fetch_one(&self.pool).await?)
    }

    /// Deletes everything: the file itself, or every row of an in-memory cache.
    pub async fn wipe(&self) -> Result<()> {
        if let Some(path) = &self.path {
            self.pool.close().await;
            remove_files(path);
        } else {
            sqlx::raw_sql("DELETE FROM entries; DELETE FROM member_pages;").execute(&self.pool).await?;
        }
        Ok(())
    }
}

fn open_sealed(cipher: &XChaCha20Poly1305, aad: &str, sealed: &[u8]) -> Option<Vec<u8>> {
    if sealed.len() < NONCE_LEN {
        return None;
    }
    let (nonce, body) = sealed.split_at(NONCE_LEN);
    cipher.decrypt(XNonce::from_slice(nonce), Payload { msg: body, aad: aad.as_bytes() }).ok()
}

fn page_aad(org_id: &str, page_no: i64) -> String {
    format!("member_pages/{org_id}/{page_no}")
}

fn remove_files(path: &Path) {
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

/// A fresh random cache key, as kept in the vault (hex).
pub(crate) fn new_key() -> Sensitive<String> {
    let key = XChaCha20Poly1305::generate_key(&mut OsRng);
    Sensitive::new(key.iter().map(|b| format!("{b:02x}")).collect())
}

fn decode_key(key: &Sensitive<String>) -> Result<[u8; 32]> {
    let hex = key.expose();
    let mut out = [0u8; 32];
    if hex.len() != 64 || !hex.is_ascii() {
        return Err(Error::Keychain("the stored cache key is malformed".into()));
    }
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16)
            .map_err(|_| Error::Keychain("the stored cache key is malformed".into()))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn open_file(path: &Path, key: &Sensitive<String>) -> Cache {
        Cache::open(Some(path), key).await.expect("open cache")
    }

    #[tokio::test]
    async fn newer_schema_is_still_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.sqlite");
        let key = new_key();
        let cache = open_file(&path, &key).await;
        cache.put(&Key::for_test("orgs"), &vec!["a".to_owned()], Some("W/\"1\"")).await.unwrap();
        // A newer Orgdesk bumped the version and added a table of its own.
        sqlx::raw_sql(
            "UPDATE meta SET value = CAST('7' AS BLOB) WHERE key = 'schema_version';
             CREATE TABLE future_things (id INTEGER PRIMARY KEY, what TEXT);",
        )
        .execute(&cache.pool)
        .await
        .unwrap();
        cache.pool.close().await;

        let reopened = open_file(&path, &key).await;
        assert!(reopened.notices().is_empty(), "no rebuild for a newer schema");
        let entry = reopened.get::<Vec<String>>(&Key::for_test("orgs")).await.unwrap().expect("still readable");
        assert_eq!(entry.value, vec!["a".to_owned()]);
        assert_eq!(entry.etag.as_deref(), Some("W/\"1\""));
    }

    #[tokio::test]
    async fn tampered_row_is_dropped_with_a_notice() {
        let dir = tempfile::tempdir().unwrap();
        let cache = open_file(&dir.path().join("c.sqlite"), &new_key()).await;
        cache.put(&Key::for_test("roles/x"), &vec![1, 2, 3], None).await.unwrap();
        cache.put(&Key::for_test("roles/y"), &vec![4], None).await.unwrap();
        // Swap a payload into another row: its name is authenticated too.
        sqlx::query(
            "UPDATE entries SET sealed = (SELECT sealed FROM entries WHERE name = 'roles/y') WHERE name = 'roles/x'",
        )
        .execute(&cache.pool)
        .await
        .unwrap();
        assert!(cache.get::<Vec<i32>>(&Key::for_test("roles/x")).await.unwrap().is_none());
        assert_eq!(cache.notices().len(), 1);
        assert!(cache.get::<Vec<i32>>(&Key::for_test("roles/y")).await.unwrap().is_some(), "other rows survive");
    }

    #[tokio::test]
    async fn another_key_means_a_rebuild() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.sqlite");
        let cache = open_file(&path, &new_key()).await;
        cache.put(&Key::for_test("orgs"), &1, None).await.unwrap();
        cache.pool.close().await;
        let other = open_file(&path, &new_key()).await;
        assert_eq!(other.notices().len(), 1);
        assert!(other.get::<i32>(&Key::for_test("orgs")).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn private_names_hide_the_email() {
        let cache = Cache::open(None, &new_key()).await.unwrap();
        let name = cache.private_name("people", "ada@example.com");
        assert!(!name.contains("ada"));
        assert_eq!(name, cache.private_name("people", "ada@example.com"));
        assert_ne!(name, cache.private_name("people", "bob@example.com"));
    }

    #[test]
    fn malformed_keys_are_errors() {
        assert!(decode_key(&Sensitive::new("zz".repeat(32))).is_err());
        assert!(decode_key(&Sensitive::new("é".repeat(32))).is_err());
        assert!(decode_key(&new_key()).is_ok());
    }

    #[tokio::test]
    async fn member_pages_decode_in_order_and_a_bad_one_drops_the_list() {
        use crate::member_view::{MemberView, PageRows};
        use orgdesk_core::api::{Member, MemberStatus};
        let cache = Cache::open(None, &new_key()).await.unwrap();
        assert!(cache.decode_member_pages("o", PageRows::decode).await.unwrap().is_none(), "nothing cached");
        // More pages than one read takes, so the batches must line up.
        let pages: Vec<StoredPage<Member>> = (0..75)
            .map(|p| StoredPage {
                cursor: None,
                next_cursor: None,
                etag: None,
                items: (0..3)
                    .map(|i| Member {
                        user_id: format!("u{p:03}{i}"),
                        email: format!("m{p}.{i}@x.test"),
                        name: format!("Member {p} {i}"),
                        role: "member".into(),
                        status: MemberStatus::Active,
                        joined_at: "2026-01-01T00:00:00.000Z".into(),
                        last_active_at: None,
                        timezone: "UTC".into(),
                        version: 1,
                    })
                    .collect(),
            })
            .collect();
        cache.put_member_pages("o", &pages).await.unwrap();
        let decoded = cache.decode_member_pages("o", PageRows::decode).await.unwrap().expect("all pages");
        let everyone: Vec<Member> = pages.iter().flat_map(|p| p.items.clone()).collect();
        assert_eq!(MemberView::from_rows(decoded).members(), everyone);
        assert!(cache.notices().is_empty());

        // A page sealed for another place is unreadable: the list is dropped.
        sqlx::query(
            "UPDATE member_pages SET sealed = (SELECT sealed FROM member_pages WHERE page_no = 3) WHERE page_no = 40",
        )
        .execute(&cache.pool)
        .await
        .unwrap();
        assert!(cache.decode_member_pages("o", PageRows::decode).await.unwrap().is_none());
        assert_eq!(cache.notices().len(), 1);
        assert!(!cache.has_member_pages("o").await.unwrap(), "the broken list is gone, to be synced again");

        // A missing page also means no list.
        cache.put_member_pages("o", &pages).await.unwrap();
        sqlx::query("DELETE FROM member_pages WHERE page_no = 33").execute(&cache.pool).await.unwrap();
        assert!(cache.decode_member_pages("o", PageRows::decode).await.unwrap().is_none());
        assert!(!cache.has_member_pages("o").await.unwrap());
    }

    #[tokio::test]
    async fn the_kept_top_rows_go_with_the_member_pages() {
        use crate::member_view::MemberWindow;
        let dir = tempfile::tempdir().unwrap();
        let cache = open_file(&dir.path().join("c.sqlite"), &new_key()).await;
        let window = MemberWindow { offset: 0, rows: Vec::new(), total: 0, all: 0, synced_at: None, revision: 3 };
        let (mine, other) = (crate::cache_keys::member_first_window("o"), crate::cache_keys::member_first_window("p"));
        cache.put(&mine, &window, None).await.unwrap();
        cache.put(&other, &window, None).await.unwrap();
        assert!(cache.contains(&mine).await.unwrap());
        cache.clear_member_pages("o").await.unwrap();
        assert!(!cache.contains(&mine).await.unwrap(), "the org's kept rows went with its pages");
        assert!(cache.get(&mine).await.unwrap().is_none());
        assert!(cache.contains(&other).await.unwrap(), "another org's stay");
    }

    /// Where the time of a 100,000-member cold start goes on the Rust side
    /// (reading, opening and parsing the pages; building the view; the first
    /// window by name). A measurement, not a check: run it in release with
    /// `cargo test --release -p orgdesk-client --lib profile_cold_view -- --ignored --nocapture`.
    #[tokio::test]
    #[ignore]
    async fn profile_cold_view() {
        use crate::member_view::{MemberFilter, MemberView, PageRows};
        use orgdesk_core::api::{Member, MemberStatus};
        use std::time::Instant;
        let dir = tempfile::tempdir().unwrap();
        let key = new_key();
        let cache = open_file(&dir.path().join("c.sqlite"), &key).await;
        let member = |p: usize, i: usize| Member {
            user_id: format!("01JZ{:022}", p * 200 + i),
            email: format!("person{}@northwind-scale.test", p * 200 + i),
            name: format!("Person{} Okafor-{}", (p * 7919 + i * 104729) % 100_000, i),
            role: "member".into(),
            status: MemberStatus::Active,
            joined_at: "2026-01-01T00:00:00.000Z".into(),
            last_active_at: Some("2026-11-30T12:00:00.000Z".into()),
            timezone: "Europe/Berlin".into(),
            version: 1,
        };
        let pages: Vec<StoredPage<Member>> = (0..500)
            .map(|p| StoredPage {
                cursor: Some(format!("c{p}")),
                next_cursor: Some(format!("c{}", p + 1)),
                etag: Some("W/\"x\"".into()),
                items: (0..200).map(|i| member(p, i)).collect(),
            })
            .collect();
        cache.put_member_pages("o", &pages).await.unwrap();
        drop(pages);
        // SAFETY: as in `return_free_memory`; called here to measure it.
        let trim = || unsafe { libc::malloc_trim(0) };
        trim();
        // The process's CPU time, user and system (all threads).
        let cpu_time = || {
            let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
            // SAFETY: getrusage fills the struct it is given.
            unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
            let t = |tv: libc::timeval| std::time::Duration::new(tv.tv_sec as u64, tv.tv_usec as u32 * 1000);
            t(usage.ru_utime) + t(usage.ru_stime)
        };
        let mib = |bytes: usize| bytes as f64 / (1024.0 * 1024.0);
        for round in 0..3 {
            let (heap0, (rss0, _)) = (crate::heap::live(), crate::heap::rss_kib());
            crate::heap::reset_peak();
            let (t, cpu0) = (Instant::now(), cpu_time());
            let pages = cache.decode_member_pages("o", PageRows::decode).await.unwrap().unwrap();
            let decoded = t.elapsed();
            let t = Instant::now();
            let view = MemberView::from_rows(pages);
            let build = t.elapsed();
            let cold = decoded + build;
            let cpu = cpu_time() - cpu0;
            let t = Instant::now();
            let w = view.window(&MemberFilter::default(), 0, 100, None);
            let first = t.elapsed();
            let (heap1, peak, (rss1, hwm)) = (crate::heap::live(), crate::heap::peak(), crate::heap::rss_kib());
            let t = Instant::now();
            trim();
            let (trimmed, (rss2, _)) = (t.elapsed(), crate::heap::rss_kib());
            let t = Instant::now();
            let q = MemberFilter { query: "person12".into(), ..Default::default() };
            let searched = view.window(&q, 0, 100, None);
            let search = t.elapsed();
            let t = Instant::now();
            let narrower = MemberFilter { query: "person123".into(), ..Default::default() };
            let _ = view.window(&narrower, 0, 100, None);
            let next_key = t.elapsed();
            // A first key that every member matches, by a later word of the name.
            let t = Instant::now();
            let every = view.window(&MemberFilter { query: "o".into(), ..Default::default() }, 0, 100, None);
            let everyone = t.elapsed();
            println!("  search \"o\" (a word of every name): {everyone:?}, {} found", every.total);
            // One member's role changed (an edit, a bulk change of one page, an event).
            let mut page: Vec<Member> = (0..200).map(|i| member(250, i)).collect();
            page[7].role = "admin".into();
            let t = Instant::now();
            let edited = view.with_pages(vec![(250, page)]);
            let edit = t.elapsed();
            drop(edited);
            println!("  one page replaced (a role changed): {edit:?}");
            println!(
                "round {round}: cold build {cold:?} (read, open and decode {decoded:?}, view {build:?}; CPU {cpu:?}), first window by name {first:?}, search {search:?}, one more key {next_key:?} ({} rows, {} found)",
                w.rows.len(),
                searched.total
            );
            println!(
                "  heap: the view holds {:.1} MiB (with its name order), {:.1} MiB at the peak of the build; process RSS {:.1} -> {:.1} MiB, {:.1} MiB after malloc_trim ({trimmed:?}; high-water mark {:.1} MiB)",
                mib(heap1 - heap0),
                mib(peak - heap0),
                rss0 as f64 / 1024.0,
                rss1 as f64 / 1024.0,
                rss2 as f64 / 1024.0,
                hwm as f64 / 1024.0
            );
            drop(view);
        }
        // The same work on one thread, step by step.
        let rows = sqlx::query("SELECT page_no, sealed FROM member_pages WHERE org_id = ? ORDER BY page_no")
            .bind("o")
            .fetch_all(&cache.pool)
            .await
            .unwrap();
        let sealed: Vec<Vec<u8>> = rows.iter().map(|r| r.try_get("sealed").unwrap()).collect();
        let t = Instant::now();
        let plain: Vec<Vec<u8>> =
            sealed.iter().enumerate().map(|(n, s)| cache.open_sealed(&page_aad("o", n as i64), s).unwrap()).collect();
        let open = t.elapsed();
        let t = Instant::now();
        let _parsed: Vec<serde::de::IgnoredAny> = plain.iter().map(|p| serde_json::from_slice(p).unwrap()).collect();
        let scan = t.elapsed();
        let t = Instant::now();
        let decoded: Vec<PageRows> = plain.iter().map(|p| PageRows::decode(p).unwrap()).collect();
        let decode = t.elapsed();
        println!(
            "one thread: open {open:?} ({:.1} MB), the JSON only scanned {scan:?}, decoded into rows {decode:?} ({} pages)",
            plain.iter().map(Vec::len).sum::<usize>() as f64 / 1e6,
            decoded.len()
        );
    }
}
