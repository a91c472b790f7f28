//! Text that came from a server, made safe to show.
//!
//! Reply lines, file names and error texts are chosen by the server, and a hostile one can put
//! terminal escape sequences in them (clear the screen, set the window title, move the cursor to
//! overwrite "3 files failed" with "all files verified OK"), bare carriage returns that rewrite
//! the current line, or Unicode direction overrides that reorder what the user reads. Everything
//! Ferry shows of such text goes through [`escape`] (or [`ServerText`], whose `Display` does
//! the same): control characters become visible escapes such as `\x1b` and `\r`.

use std::borrow::Cow;
use std::fmt;

/// Whether `c` must not reach a terminal or a log as it is: C0 and C1 control characters and
/// DEL (`char::is_control`), and the Unicode bidirectional controls (U+200E, U+200F,
/// U+202A–U+202E, U+2066–U+2069) that make text display in another order than it is stored.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every unsafe character ([`is_unsafe`]) written as an escape: `\r`, `\n`, `\t`,
/// `\x1b` for other ASCII controls, `\u{202e}` beyond ASCII. A backslash stays a backslash (the
/// point is that nothing drives the terminal, not that the escaping can be undone). Borrowed
/// when nothing needed escaping, which is almost always.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    push_escaped(&mut out, text, false);
    Cow::Owned(out)
}

/// Like [`escape`], but keeps line feeds: for Ferry's own multi-line messages that quote server
/// text (which has been escaped already where it was quoted; this is the last line of defence
/// before a terminal).
pub fn escape_keeping_newlines(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c != '\n' && is_unsafe(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    push_escaped(&mut out, text, true);
    Cow::Owned(out)
}

fn push_escaped(out: &mut String, text: &str, keep_newlines: bool) {
    for c in text.chars() {
        match c {
            '\n' if keep_newlines => out.push('\n'),
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) && (c as u32) < 0x80 => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if is_unsafe(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
}

/// A piece of server text whose `Display` escapes it ([`escape`]).
#[derive(Debug, Clone, Copy)]
pub struct ServerText<'a>(pub &'a str);

impl fmt::Display for ServerText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&escape(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        let text = "226 Transfer complete. Größe: 12 ✓ \\ ok";
        assert!(matches!(escape(text), Cow::Borrowed(t) if t == text));
    }

    #[test]
    fn controls_and_direction_overrides_are_escaped() {
        assert_eq!(
            escape("a\x1b[2J\rb\nc\td\u{7f}\u{9b}e\u{202e}f\u{2066}"),
            "a\\x1b[2J\\rb\\nc\\td\\x7f\\u{9b}e\\u{202e}f\\u{2066}"
        );
        assert_eq!(ServerText("x\x07").to_string(), "x\\x07");
        let escaped = escape("\x1b]0;title\x07 all files verified OK\r");
        assert!(!escaped.chars().any(is_unsafe), "{escaped}");
    }

    #[test]
    fn newlines_can_be_kept_for_own_messages() {
        assert_eq!(
            escape_keeping_newlines("one\ntwo\r\x1b"),
            "one\ntwo\\r\\x1b"
        );
        assert!(matches!(escape_keeping_newlines("a\nb"), Cow::Borrowed(_)));
    }
}
