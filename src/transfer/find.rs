//! Remote search: a walk of the server's tree under one folder that reports the entries whose
//! names match, in batches as it goes (a big tree takes minutes over FTP), and stops when asked.
//! Folders that cannot be listed (permission denied) are counted and passed over; links are
//! not followed, so a link loop cannot keep the walk going.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::walk::{MAX_FOLDERS, unusable_name};
use crate::ftp::{Entry, EntryKind, FtpError, Session, path as remote_path};

/// Deepest folder level the search descends to.
const MAX_DEPTH: usize = 64;

/// Matches reported at most; a search that finds more says so and stops (the window lists
/// every match, and memory must stay bounded).
pub const MAX_MATCHES: usize = 10_000;

/// What the user looks for: a name pattern with `*` (any run) and `?` (one character), or
/// without either a part of the name. Letters match either case, as FileZilla's search does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamePattern {
    /// Lowercased characters of the pattern.
    chars: Vec<char>,
    /// The pattern has `*` or `?`: the whole name must match.
    glob: bool,
}

impl NamePattern {
    /// A pattern from what the user typed (surrounding spaces ignored); None when empty.
    pub fn new(text: &str) -> Option<NamePattern> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        Some(NamePattern {
            chars: text.chars().flat_map(char::to_lowercase).collect(),
            glob: text.contains(['*', '?']),
        })
    }

    /// Whether `name` matches.
    pub fn matches(&self, name: &str) -> bool {
        let name: Vec<char> = name.chars().flat_map(char::to_lowercase).collect();
        if self.glob {
            glob_match(&self.chars, &name)
        } else {
            name.windows(self.chars.len()).any(|w| w == self.chars)
        }
    }
}

/// `*`/`?` matching with one backtrack point (linear in practice, never exponential).
fn glob_match(pattern: &[char], name: &[char]) -> bool {
    let (mut p, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, n));
                p += 1;
            }
            Some('?') => {
                p += 1;
                n += 1;
            }
            Some(c) if *c == name[n] => {
                p += 1;
                n += 1;
            }
            _ => match star {
                // Let the last `*` take one more character.
                Some((sp, sn)) => {
                    p = sp + 1;
                    n = sn + 1;
                    star = Some((sp, sn + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

/// Set from the window to end a search; the walk looks at it before each folder.
#[derive(Debug, Clone, Default)]
pub struct StopFlag(Arc<AtomicBool>);

impl StopFlag {
    /// Asks the search to end.
    pub fn stop(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether [`StopFlag::stop`] was called.
    pub fn is_stopped(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Two flags are equal when they are the same flag (requests compare by what they ask).
impl PartialEq for StopFlag {
    fn eq(&self, other: &StopFlag) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for StopFlag {}

/// One match: the folder it is in, and its listing entry.
#[derive(Debug, Clone)]
pub struct Found {
    /// The absolute folder path.
    pub folder: String,
    /// The entry as listed there.
    pub entry: Entry,
}

impl Found {
    /// The match's absolute path.
    pub fn path(&self) -> String {
        remote_path::join(&self.folder, &self.entry.name)
    }
}

/// How far a search got: sent with each batch, and at the end.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FindProgress {
    /// Folders listed so far.
    pub folders: usize,
    /// Folders that could not be listed (passed over).
    pub unreadable: usize,
    /// Matches so far.
    pub matches: usize,
    /// The walk ended: everything was searched, or it stopped.
    pub finished: bool,
    /// It ended early: stopped by the user, [`MAX_MATCHES`] reached, or
    /// [`MAX_FOLDERS`] searched (a server whose folders never end).
    pub incomplete: bool,
}

/// Searches the tree under `root` for names matching `pattern`, calling `report` with each
/// batch of matches (after every folder that had some); returns the final progress
/// (`finished`). Fails only when the session fails; a folder that cannot be listed is skipped.
pub fn find(
    session: &mut Session,
    root: &str,
    pattern: &NamePattern,
    stop: &StopFlag,
    report: &mut dyn FnMut(Vec<Found>, &FindProgress),
) -> Result<FindProgress, FtpError> {
    let mut progress = FindProgress::default();
    // Depth-first, as a file manager's search reads: a folder's subfolders before its siblings.
    let mut pending = vec![(root.to_owned(), 0usize)];
    while let Some((folder, depth)) = pending.pop() {
        if stop.is_stopped() || progress.matches >= MAX_MATCHES || progress.folders >= MAX_FOLDERS {
            progress.incomplete = true;
            break;
        }
        let listed = match session.list((!folder.is_empty()).then_some(folder.as_str())) {
            Ok(listed) => listed,
            Err(e) if e.is_fatal_to_session() => return Err(e),
            Err(_) => {
                progress.unreadable += 1;
                continue;
            }
        };
        progress.folders += 1;
        let mut batch = Vec::new();
        let mut children = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for entry in listed {
            // `../up` or `a/b` would be searched (and shown) as another folder; a name listed
            // twice is one entry.
            if unusable_name(&entry.name).is_some() || !seen.insert(entry.name.clone()) {
                continue;
            }
            if entry.kind == EntryKind::Dir && depth < MAX_DEPTH {
                children.push((remote_path::join(&folder, &entry.name), depth + 1));
            }
            if pattern.matches(&entry.name) && progress.matches < MAX_MATCHES {
                progress.matches += 1;
                batch.push(Found {
                    folder: folder.clone(),
                    entry,
                });
            }
        }
        // Servers list in any order; people read names in order. Reversed onto the stack: the
        // first subfolder is searched first.
        children.sort_by_cached_key(|(path, _)| path.to_lowercase());
        batch.sort_by_cached_key(|f| f.entry.name.to_lowercase());
        pending.extend(children.into_iter().rev());
        if !batch.is_empty() {
            report(batch, &progress);
        }
    }
    progress.finished = true;
    Ok(progress)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, name: &str) -> bool {
        NamePattern::new(pattern).is_some_and(|p| p.matches(name))
    }

    #[test]
    fn without_wildcards_a_part_of_the_name_matches_in_either_case() {
        assert!(matches("report", "Annual-REPORT-2026.pdf"));
        assert!(matches("  Rep ", "rep"));
        assert!(!matches("report", "repo"));
        assert!(matches("日本", "日本語.txt"));
        assert!(NamePattern::new("   ").is_none());
    }

    #[test]
    fn wildcards_match_the_whole_name() {
        assert!(matches("*.txt", "notes.TXT"));
        assert!(!matches("*.txt", "notes.txt.bak"));
        assert!(matches("a?c", "abc"));
        assert!(!matches("a?c", "abbc"));
        assert!(matches("*a*b*c*", "xxaxxbxxcxx"));
        assert!(!matches("*a*b*c", "xxaxxbxxcxx"));
        assert!(matches("*", ""));
        assert!(matches("**.log", "x.log"));
    }

    #[test]
    fn a_long_name_against_many_stars_ends_quickly() {
        // A backtracking matcher without the single-star rule would take ages here.
        let name = "a".repeat(5_000);
        let pattern = format!("{}b", "*a".repeat(50));
        assert!(!matches(&pattern, &name));
        assert!(matches(&"*a".repeat(50), &name));
    }

    #[test]
    fn stop_flags_compare_by_identity() {
        let a = StopFlag::default();
        assert_eq!(a, a.clone());
        assert_ne!(a, StopFlag::default());
        a.stop();
        assert!(a.clone().is_stopped());
    }
}
