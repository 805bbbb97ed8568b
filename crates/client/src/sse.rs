//! A Server-Sent Events parser (the WHATWG "event stream interpretation"):
//! bytes in, in whatever chunks the network gives them; events, comments
//! and retry hints out. Lines end with CRLF, LF or CR (a CR at the end of a
//! chunk may have its LF in the next one); `data` lines join with "\n"; an
//! `id` with a NUL is ignored; `retry` takes digits only; a field without a
//! colon has an empty value; one space after the colon is dropped; a
//! leading byte-order mark is skipped; a blank line dispatches, and an
//! event without data is not dispatched.

use std::time::Duration;

/// A line longer than this is refused (a misbehaving server, not an event).
pub const MAX_LINE: usize = 1024 * 1024;

/// One dispatched event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SseEvent {
    /// The last event id as of this event (the stream's, not only this
    /// event's own: an event without an `id` line keeps the previous one).
    pub id: Option<String>,
    /// `message` when the event named no type.
    pub event: String,
    pub data: String,
}

/// What the stream said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SseItem {
    Event(SseEvent),
    /// A line starting with `:`; servers send them as heartbeats.
    Comment(String),
    /// The server's reconnection delay.
    Retry(Duration),
}

#[derive(Debug, Default)]
pub struct SseParser {
    line: Vec<u8>,
    /// The previous chunk ended with CR: an LF starting this one belongs to it.
    after_cr: bool,
    started: bool,
    /// How much of a leading byte-order mark has been seen (it may span chunks).
    bom: usize,
    event: String,
    data: String,
    has_data: bool,
    last_id: Option<String>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct LineTooLong;

impl SseParser {
    pub fn new() -> SseParser {
        SseParser::default()
    }

    /// Resumes after `last_id` (a reconnect keeps the stream's last id).
    pub fn with_last_id(last_id: Option<String>) -> SseParser {
        SseParser { last_id, ..Default::default() }
    }

    /// The last event id seen so far.
    pub fn last_id(&self) -> Option<&str> {
        self.last_id.as_deref()
    }

    /// Feeds a chunk; answers what it completed.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<Vec<SseItem>, LineTooLong> {
        const BOM: &[u8] = b"\xEF\xBB\xBF";
        let mut out = Vec::new();
        for &b in chunk {
            if !self.started {
                if b == BOM[self.bom] {
                    self.bom += 1;
                    self.started = self.bom == BOM.len();
                    continue;
                }
                // Not a byte-order mark after all: what looked like one is data.
                self.started = true;
                self.line.extend_from_slice(&BOM[..self.bom]);
            }
            if self.after_cr {
                self.after_cr = false;
                if b == b'\n' {
                    continue;
                }
            }
            match b {
                b'\n' => self.end_line(&mut out),
                b'\r' => {
                    self.after_cr = true;
                    self.end_line(&mut out);
                }
                _ => {
                    if self.line.len() >= MAX_LINE {
                        return Err(LineTooLong);
                    }
                    self.line.push(b);
                }
            }
        }
        Ok(out)
    }

    fn end_line(&mut self, out: &mut Vec<SseItem>) {
        let line = std::mem::take(&mut self.line);
        let line = String::from_utf8_lossy(&line);
        if line.is_empty() {
            self.dispatch(out);
            return;
        }
        if let Some(comment) = line.strip_prefix(':') {
            out.push(SseItem::Comment(comment.trim_start().to_owned()));
            return;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line.as_ref(), ""),
        };
        match field {
            "event" => self.event = value.to_owned(),
            "data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            "id" if !value.contains('\0') => self.last_id = Some(value.to_owned()),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                if let Ok(ms) = value.parse::<u64>() {
                    out.push(SseItem::Retry(Duration::from_millis(ms)));
                }
            }
            _ => {}
        }
    }

    fn dispatch(&mut self, out: &mut Vec<SseItem>) {
        let event = std::mem::take(&mut self.event);
        let data = std::mem::take(&mut self.data);
        if !std::mem::take(&mut self.has_data) {
            return;
        }
        let event = if event.is_empty() { "message".to_owned() } else { event };
        out.push(SseItem::Event(SseEvent { id: self.last_id.clone().filter(|id| !id.is_empty()), event, data }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(items: &[SseItem]) -> Vec<&SseEvent> {
        items
            .iter()
            .filter_map(|i| match i {
                SseItem::Event(e) => Some(e),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn fields_comments_and_retry() {
        let mut p = SseParser::new();
        let items = p
            .feed(b": heartbeat\n\nid: 1\nevent: member.added\ndata: {\"a\":\ndata:1}\nretry: 2500\nignored: x\n\n")
            .unwrap();
        assert_eq!(items[0], SseItem::Comment("heartbeat".into()));
        assert!(items.contains(&SseItem::Retry(Duration::from_millis(2500))));
        let e = events(&items);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].id.as_deref(), Some("1"));
        assert_eq!(e[0].event, "member.added");
        assert_eq!(e[0].data, "{\"a\":\n1}");
    }

    #[test]
    fn any_chunking_and_any_line_ending_give_the_same_events() {
        let text = "\u{feff}id: a\r\nevent: x\r\ndata: one\r\n\r\nevent: y\rdata: two\r\rdata\n\n";
        let whole = SseParser::new().feed(text.as_bytes()).unwrap();
        for size in 1..text.len() {
            let mut p = SseParser::new();
            let mut items = Vec::new();
            for chunk in text.as_bytes().chunks(size) {
                items.extend(p.feed(chunk).unwrap());
            }
            assert_eq!(items, whole, "chunks of {size}");
        }
        let e = events(&whole);
        assert_eq!(
            e.iter().map(|e| (e.event.as_str(), e.data.as_str())).collect::<Vec<_>>(),
            [("x", "one"), ("y", "two"), ("message", "")]
        );
        assert_eq!(e[1].id.as_deref(), Some("a"), "an event without an id keeps the stream's last id");
    }

    #[test]
    fn what_the_spec_ignores_is_ignored() {
        let mut p = SseParser::with_last_id(Some("7".into()));
        let items = p.feed(b"event: lonely\n\nid: bad\0id\nretry: 1s\ndata: d\n\n").unwrap();
        assert_eq!(items.len(), 1, "no event without data, no retry without digits: {items:?}");
        assert_eq!(events(&items)[0].id.as_deref(), Some("7"), "an id with NUL is ignored");
        assert_eq!(events(&items)[0].event, "message", "the type does not outlive its event");
        let mut reset = SseParser::with_last_id(Some("7".into()));
        let cleared = reset.feed(b"id\ndata: x\n\n").unwrap();
        assert_eq!(events(&cleared)[0].id, None, "an empty id clears it");
    }

    #[test]
    fn a_line_without_end_is_refused_past_the_limit() {
        let mut p = SseParser::new();
        let long = vec![b'a'; MAX_LINE];
        assert!(p.feed(&long).is_ok());
        assert_eq!(p.feed(b"a"), Err(LineTooLong));
    }
}
