//! The log file for support: `orgdesk.log` in a directory, rotated by size
//! into `orgdesk.log.1` … `orgdesk.log.<keep>` (the oldest is dropped).
//!
//! It is a plain [`std::io::Write`] sink for a tracing subscriber
//! (`.with_writer(move || log.writer())`), so it writes exactly what the
//! log lines say: the client never logs a session token, an invitation token
//! (request paths are logged as `/v1/invitations/<token>`) or an email body,
//! and tests/client/secrets.rs checks the file for them.
//!
//! Lines written before [`LogFile::open`] (while the app is starting and does
//! not know its log directory yet) are kept in memory, up to a limit, and
//! written first.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub const LOG_FILE_NAME: &str = "orgdesk.log";
/// Bytes kept in memory before the file is open; more are dropped.
const PENDING_LIMIT: usize = 256 * 1024;

#[derive(Clone)]
pub struct LogFile {
    inner: Arc<Mutex<Inner>>,
}

struct Inner {
    max_bytes: u64,
    keep: usize,
    open: Option<Open>,
    pending: Vec<u8>,
}

struct Open {
    path: PathBuf,
    file: File,
    len: u64,
}

impl LogFile {
    /// A log of files of at most about `max_bytes` each, `keep` old ones kept.
    pub fn new(max_bytes: u64, keep: usize) -> LogFile {
        LogFile {
            inner: Arc::new(Mutex::new(Inner { max_bytes: max_bytes.max(1), keep, open: None, pending: Vec::new() })),
        }
    }

    /// Starts writing to `dir/orgdesk.log` (appending), after what was logged so far.
    pub fn open(&self, dir: &Path) -> io::Result<PathBuf> {
        fs::create_dir_all(dir)?;
        let path = dir.join(LOG_FILE_NAME);
        let file = OpenOptions::new().create(true).append(true).open(&path)?;
        let len = file.metadata()?.len();
        let mut inner = self.lock();
        inner.open = Some(Open { path: path.clone(), file, len });
        let pending = std::mem::take(&mut inner.pending);
        if !pending.is_empty() {
            inner.write_line(&pending)?;
        }
        Ok(path)
    }

    /// The file written now, once open.
    pub fn path(&self) -> Option<PathBuf> {
        self.lock().open.as_ref().map(|o| o.path.clone())
    }

    /// The current file and the rotated ones, newest first.
    pub fn files(&self) -> Vec<PathBuf> {
        let inner = self.lock();
        let Some(open) = &inner.open else { return Vec::new() };
        let mut files = vec![open.path.clone()];
        files.extend((1..=inner.keep).map(|n| rotated(&open.path, n)).filter(|p| p.exists()));
        files
    }

    /// The last `n` lines at WARN or ERROR level, oldest first (for "Copy diagnostics").
    pub fn recent_problems(&self, n: usize) -> Vec<String> {
        let mut found: Vec<String> = Vec::new();
        for file in self.files() {
            let text = fs::read_to_string(&file).unwrap_or_default();
            let mut lines: Vec<String> =
                text.lines().filter(|l| l.contains(" WARN ") || l.contains(" ERROR ")).map(str::to_owned).collect();
            lines.append(&mut found);
            found = lines;
            if found.len() >= n {
                break;
            }
        }
        let skip = found.len().saturating_sub(n);
        found.split_off(skip)
    }

    /// A writer for the tracing subscriber; every clone writes to this log.
    pub fn writer(&self) -> LogWriter {
        LogWriter(self.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn rotated(path: &Path, n: usize) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{n}"));
    PathBuf::from(name)
}

impl Inner {
    fn write_line(&mut self, buf: &[u8]) -> io::Result<()> {
        let Some(open) = &mut self.open else {
            if self.pending.len() + buf.len() <= PENDING_LIMIT {
                self.pending.extend_from_slice(buf);
            }
            return Ok(());
        };
        if open.len > 0 && open.len + buf.len() as u64 > self.max_bytes {
            self.rotate()?;
        }
        let open = self.open.as_mut().expect("open after rotating");
        open.file.write_all(buf)?;
        open.len += buf.len() as u64;
        Ok(())
    }

    fn rotate(&mut self) -> io::Result<()> {
        let path = self.open.as_ref().expect("rotate an open log").path.clone();
        if self.keep == 0 {
            let file = File::create(&path)?;
            self.open = Some(Open { path, file, len: 0 });
            return Ok(());
        }
        let _ = fs::remove_file(rotated(&path, self.keep));
        for n in (1..self.keep).rev() {
            let from = rotated(&path, n);
            if from.exists() {
                fs::rename(&from, rotated(&path, n + 1))?;
            }
        }
        fs::rename(&path, rotated(&path, 1))?;
        let file = OpenOptions::new().create(true).append(true).open(&path)?;
        self.open = Some(Open { path, file, len: 0 });
        Ok(())
    }
}

/// What the subscriber writes through: one call per formatted event.
pub struct LogWriter(LogFile);

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().write_line(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(n: usize) -> Vec<u8> {
        format!("2026-12-01T12:00:00Z  INFO line {n:04} {}\n", "x".repeat(50)).into_bytes()
    }

    #[test]
    fn rotates_by_size_and_keeps_a_few() {
        let dir = tempfile::tempdir().unwrap();
        let log = LogFile::new(1000, 2);
        let path = log.open(dir.path()).unwrap();
        for n in 0..100 {
            log.writer().write_all(&line(n)).unwrap();
        }
        let files = log.files();
        assert_eq!(files, vec![path.clone(), rotated(&path, 1), rotated(&path, 2)]);
        assert!(!rotated(&path, 3).exists(), "only two old files are kept");
        for file in &files {
            assert!(fs::metadata(file).unwrap().len() <= 1000, "{} is over the limit", file.display());
        }
        let newest = fs::read_to_string(&path).unwrap();
        assert!(newest.contains("line 0099"), "the newest line is in the current file");
        let oldest = fs::read_to_string(rotated(&path, 2)).unwrap();
        assert!(!oldest.contains("line 0000"), "the oldest lines were dropped");
    }

    #[test]
    fn lines_before_open_are_written_first() {
        let dir = tempfile::tempdir().unwrap();
        let log = LogFile::new(1 << 20, 3);
        log.writer().write_all(b"early WARN line\n").unwrap();
        assert_eq!(log.path(), None);
        let path = log.open(dir.path()).unwrap();
        log.writer().write_all(b"later ERROR line\n").unwrap();
        assert_eq!(fs::read_to_string(path).unwrap(), "early WARN line\nlater ERROR line\n");
    }

    #[test]
    fn recent_problems_across_files() {
        let dir = tempfile::tempdir().unwrap();
        let log = LogFile::new(200, 3);
        log.open(dir.path()).unwrap();
        for n in 0..20 {
            let level = if n % 2 == 0 { "WARN" } else { "INFO" };
            log.writer().write_all(format!("t {level} problem {n:02} ....................\n").as_bytes()).unwrap();
        }
        let problems = log.recent_problems(3);
        assert_eq!(problems.len(), 3);
        assert!(problems[0].ends_with("problem 14 ...................."), "{problems:?}");
        assert!(problems[2].ends_with("problem 18 ...................."), "{problems:?}");
    }
}
