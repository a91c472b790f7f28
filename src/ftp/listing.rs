//! Parsers for FTP directory listings: RFC 3659 `MLSD`/`MLST` fact lines, and the free-form
//! `LIST` output of Unix (`ls -l` style) and MS-DOS/IIS servers.
//!
//! Everything here reads bytes sent by a server we do not trust. The parsers therefore never
//! panic (no `unwrap`, no slicing that can fail, no unchecked arithmetic on input) and reject
//! lines they cannot understand rather than guess. Names are returned exactly as the server
//! sent them, hostile ones included (`/`, `..`, control characters): deciding what is safe to
//! create on the local disk is the job of the layer that maps remote names to local paths.

use std::fmt;
use std::str::FromStr;

/// What kind of thing a listing entry is, so callers can decide whether to recurse into it,
/// download it or skip it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link; [`Entry::link_target`] holds its target when the listing gives one.
    Symlink,
    /// Anything else: devices, pipes, sockets, or an entry whose type the server did not state.
    Other,
}

/// A calendar date and time taken from a listing.
///
/// Kept as plain fields rather than an instant because `LIST` times are in the server's
/// unknown local zone: we store them as given and only MLSD/MDTM values are truly UTC.
/// Field order makes the derived `Ord` chronological.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    /// Full year, e.g. 2024.
    pub year: i32,
    /// Month of the year, 1–12.
    pub month: u8,
    /// Day of the month, 1–31.
    pub day: u8,
    /// Hour of the day, 0–23.
    pub hour: u8,
    /// Minute of the hour, 0–59.
    pub minute: u8,
    /// Second of the minute, 0–60 (60 only for a leap second, which RFC 3659 allows).
    pub second: u8,
}

const SECONDS_PER_DAY: i64 = 86_400;
const SECONDS_PER_HOUR: i64 = 3_600;
const SECONDS_PER_MINUTE: i64 = 60;
/// Days from 0000-03-01 (the start of the March-based calendar used below) to 1970-01-01.
const DAYS_FROM_MARCH_YEAR_ZERO_TO_UNIX_EPOCH: i64 = 719_468;
/// The Gregorian calendar repeats exactly every 400 years, which has this many days.
const DAYS_PER_400_YEARS: i64 = 146_097;

impl Timestamp {
    /// Seconds since the Unix epoch, treating the fields as UTC.
    ///
    /// Uses Howard Hinnant's days-from-civil algorithm so no date crate is needed. All
    /// arithmetic is done in `i64`, which cannot overflow for any field values, so even a
    /// nonsensical hand-built timestamp yields a (meaningless) number instead of a panic.
    pub fn unix_seconds(&self) -> i64 {
        let days = days_from_civil(
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        );
        days * SECONDS_PER_DAY
            + i64::from(self.hour) * SECONDS_PER_HOUR
            + i64::from(self.minute) * SECONDS_PER_MINUTE
            + i64::from(self.second)
    }

    /// The UTC calendar time `secs` seconds after the Unix epoch (negative means before it).
    ///
    /// Years beyond the range of `i32` saturate rather than wrap, so the result is always a
    /// well-formed timestamp.
    pub fn from_unix_seconds(secs: i64) -> Timestamp {
        let days = secs.div_euclid(SECONDS_PER_DAY);
        let second_of_day = secs.rem_euclid(SECONDS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        Timestamp {
            year,
            month,
            day,
            hour: narrow_to_u8(second_of_day / SECONDS_PER_HOUR),
            minute: narrow_to_u8(second_of_day % SECONDS_PER_HOUR / SECONDS_PER_MINUTE),
            second: narrow_to_u8(second_of_day % SECONDS_PER_MINUTE),
        }
    }

    /// Parse an RFC 3659 time value as sent by `MDTM` and the MLSD `modify` fact:
    /// `YYYYMMDDHHMMSS` optionally followed by `.` and fraction digits (the fraction is
    /// dropped, we only keep whole seconds).
    ///
    /// Surrounding whitespace is ignored. Returns `None` when the value is malformed or out of
    /// the RFC's range (year 1000–9999, a real day of that month, hour 0–23, minute 0–59,
    /// second 0–60), because a wrong modification time is worse than none for sync decisions.
    pub fn parse_ftp_time(s: &str) -> Option<Timestamp> {
        let s = s.trim();
        let (digits, fraction) = match s.split_once('.') {
            Some((digits, fraction)) => (digits, Some(fraction)),
            None => (s, None),
        };
        if fraction.is_some_and(|fraction| !is_ascii_digits(fraction)) {
            return None;
        }
        if digits.len() != 14 || !is_ascii_digits(digits) {
            return None;
        }
        let year: i32 = digit_field(digits, 0..4)?;
        if year < 1000 {
            return None;
        }
        Timestamp::checked(
            year,
            digit_field(digits, 4..6)?,
            digit_field(digits, 6..8)?,
            digit_field(digits, 8..10)?,
            digit_field(digits, 10..12)?,
            digit_field(digits, 12..14)?,
        )
    }

    /// The RFC 3659 form, `YYYYMMDDHHMMSS` (what MFMT and MDTM use).
    pub fn to_ftp_time(&self) -> String {
        format!(
            "{:04}{:02}{:02}{:02}{:02}{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    /// Build a timestamp only if every field names a real moment, so parsers can't produce
    /// "February 30th".
    fn checked(
        year: i32,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
    ) -> Option<Timestamp> {
        let valid = (1..=days_in_month(year, month)).contains(&day)
            && hour < 24
            && minute < 60
            && second <= 60;
        valid.then_some(Timestamp {
            year,
            month,
            day,
            hour,
            minute,
            second,
        })
    }
}

impl fmt::Display for Timestamp {
    /// Formats as `2024-01-02 15:04:05`: sortable and unambiguous, for logs and listings.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    // Count years from March so the leap day is the last day of the counting year.
    let march_year = if month <= 2 { year - 1 } else { year };
    let era = march_year.div_euclid(400);
    let year_of_era = march_year - era * 400; // 0..=399
    let month_from_march = (month + 9) % 12; // March = 0 … February = 11
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * DAYS_PER_400_YEARS + day_of_era - DAYS_FROM_MARCH_YEAR_ZERO_TO_UNIX_EPOCH
}

/// Inverse of [`days_from_civil`]: (year, month, day) of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i32, u8, u8) {
    let days_since_march_year_zero = days + DAYS_FROM_MARCH_YEAR_ZERO_TO_UNIX_EPOCH;
    let era = days_since_march_year_zero.div_euclid(DAYS_PER_400_YEARS);
    let day_of_era = days_since_march_year_zero - era * DAYS_PER_400_YEARS; // 0..=146_096
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153; // March = 0 … February = 11
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (
        saturate_to_i32(year),
        narrow_to_u8(month),
        narrow_to_u8(day),
    )
}

fn saturate_to_i32(value: i64) -> i32 {
    i32::try_from(value).unwrap_or(if value < 0 { i32::MIN } else { i32::MAX })
}

/// For values the algorithms above already keep within 0..=255.
fn narrow_to_u8(value: i64) -> u8 {
    u8::try_from(value).unwrap_or(0)
}

fn is_leap_year(year: i32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Length of `month` in `year`; 0 for a month that does not exist, so no day is valid in it.
fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// One entry of a remote directory, whichever listing format it came from.
///
/// Fields the format does not carry (owner in MS-DOS listings, size of a device…) are `None`
/// rather than invented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The name exactly as the server sent it (after lossy UTF-8 decoding); never sanitized.
    pub name: String,
    /// File, directory, symlink or something else.
    pub kind: EntryKind,
    /// Size in bytes, when the listing gives one.
    pub size: Option<u64>,
    /// Last modification time: UTC for MLSD, server-local as given for LIST.
    pub modified: Option<Timestamp>,
    /// Whether `modified` is exact: UTC to the second (MLSD, MLST). LIST times are in the
    /// server's unknown zone and often to the minute or the day only.
    pub modified_exact: bool,
    /// Whether `modified` gives the day only: `ls -l` shows older (and future) files with
    /// their year and no time, so the file changed some time during that day (server zone).
    pub modified_day_only: bool,
    /// Permissions exactly as the server expressed them (trimmed): the `ls -l` mode column
    /// such as "drwxr-xr-x" (including any `+`/`.` marker) for LIST, MLSD's `UNIX.mode` such as
    /// "0755", or else MLSD's `perm` fact such as "adfrw". Kept verbatim rather than
    /// normalised because the three notations do not convert into each other.
    pub permissions: Option<String>,
    /// Owning user name or numeric id, as the server wrote it.
    pub owner: Option<String>,
    /// Owning group name or numeric id, as the server wrote it.
    pub group: Option<String>,
    /// For symlinks: what the link points at, when the listing says.
    pub link_target: Option<String>,
}

impl Entry {
    /// An entry with only a name and kind; parsers fill in whatever else their format has.
    fn new(name: &str, kind: EntryKind) -> Entry {
        Entry {
            name: name.to_owned(),
            kind,
            size: None,
            modified: None,
            modified_exact: false,
            modified_day_only: false,
            permissions: None,
            owner: None,
            group: None,
            link_target: None,
        }
    }
}

/// Which parser produced a line, so logs and tests can tell how a server's listing was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListingFormat {
    /// RFC 3659 machine-readable facts (`MLSD` / `MLST`).
    Mlsd,
    /// Unix `ls -l` style `LIST` output.
    Unix,
    /// MS-DOS / IIS style `LIST` output.
    Dos,
}

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

/// The lines of a decoded listing body without their terminators. Servers disagree on CRLF
/// vs LF, so split on LF and drop a trailing CR.
fn body_lines(text: &str) -> impl Iterator<Item = &str> {
    text.split('\n').map(strip_line_ending)
}

/// Remove only the line terminator: trailing spaces may be part of a file name.
fn strip_line_ending(line: &str) -> &str {
    line.trim_end_matches(['\r', '\n'])
}

fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// "." and ".." describe the listed directory itself, not its contents.
fn is_self_or_parent(name: &str) -> bool {
    name == "." || name == ".."
}

/// Non-empty and nothing but ASCII digits (unlike `str::parse`, which also accepts a sign).
fn is_ascii_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit())
}

/// Parse the digits at `range` of `text`; `None` if out of bounds or not a number.
fn digit_field<T: FromStr>(text: &str, range: std::ops::Range<usize>) -> Option<T> {
    let field = text.get(range)?;
    if is_ascii_digits(field) {
        field.parse().ok()
    } else {
        None
    }
}

/// Parse a short all-digit number of `min_len..=max_len` digits (day, hour, year…).
fn small_number<T: FromStr>(text: &str, min_len: usize, max_len: usize) -> Option<T> {
    let length_ok = (min_len..=max_len).contains(&text.len());
    if length_ok && is_ascii_digits(text) {
        text.parse().ok()
    } else {
        None
    }
}

/// A whitespace-separated word of a LIST line together with its byte span, so the file name
/// can later be cut from the original line at its column with its spacing intact.
#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    text: &'a str,
    end: usize,
}

/// Only space and tab separate columns; other control characters may be part of a name.
fn is_column_separator(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn tokenize(line: &str) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    let mut start: Option<usize> = None;
    for (index, c) in line.char_indices() {
        match (is_column_separator(c), start) {
            (true, Some(begin)) => {
                push_token(&mut tokens, line, begin, index);
                start = None;
            }
            (false, None) => start = Some(index),
            _ => {}
        }
    }
    if let Some(begin) = start {
        push_token(&mut tokens, line, begin, line.len());
    }
    tokens
}

fn push_token<'a>(tokens: &mut Vec<Token<'a>>, line: &'a str, start: usize, end: usize) {
    if let Some(text) = line.get(start..end) {
        tokens.push(Token { text, end });
    }
}

/// The rest of the line after `token` with exactly one separator removed: `ls -l` puts a
/// single space between the date and the name, so any further spaces belong to the name.
fn rest_after_one_separator<'a>(line: &'a str, token: &Token<'_>) -> &'a str {
    let rest = line.get(token.end..).unwrap_or("");
    rest.strip_prefix([' ', '\t']).unwrap_or(rest)
}

// ---------------------------------------------------------------------------------------------
// MLSD / MLST (RFC 3659)
// ---------------------------------------------------------------------------------------------

/// Parse one MLSD/MLST fact line such as
/// `type=file;size=123;modify=20240102150405;perm=adfrw; name with spaces.txt`.
///
/// Fact names and the `type` values are case-insensitive. `type` may be `file`, `dir`, `cdir`,
/// `pdir`, `OS.unix=slink:/target`, `OS.unix=symlink`, or another `OS.*` type (→ `Other`).
/// Returns `None` for malformed lines. `cdir`/`pdir` entries (and names "." and "..") ARE
/// returned by this line function, with kind `Dir`, but filtered out by [`parse_mlsd`].
///
/// The name is everything after the first `"; "`, so names containing `;` or spaces survive.
/// A single leading space is tolerated because `MLST` replies on the control connection
/// indent the fact line. Every fact must look like `name=value` (that is what tells a fact
/// line apart from, say, a `LIST` line); unknown facts are ignored and unparseable values
/// (a non-numeric size, a bad time) just leave that field `None`.
pub fn parse_mlsd_line(line: &str) -> Option<Entry> {
    parse_mlsd_facts_line(line).map(|parsed| parsed.entry)
}

/// Parse a whole MLSD body: lines separated by CRLF or LF, non-UTF-8 bytes decoded lossily.
/// Skips blank and malformed lines, ".", "..", `cdir` and `pdir`, so the result is exactly the
/// directory's contents.
///
/// Malformed lines are skipped rather than failing the whole listing so one odd entry does
/// not hide the rest of a directory.
pub fn parse_mlsd(body: &[u8]) -> Vec<Entry> {
    // Some servers send names that are not UTF-8; a replacement character beats losing the
    // entry (or the whole listing).
    let text = String::from_utf8_lossy(body);
    body_lines(&text)
        .filter(|line| !is_blank(line))
        .filter_map(parse_mlsd_facts_line)
        .filter(|parsed| !parsed.describes_listed_dir_or_parent)
        .map(|parsed| parsed.entry)
        .filter(|entry| !is_self_or_parent(&entry.name))
        .collect()
}

/// An MLSD line's entry plus whether its type was `cdir`/`pdir`, which `Entry` cannot express
/// but `parse_mlsd` needs in order to drop those lines.
struct ParsedMlsdLine {
    entry: Entry,
    describes_listed_dir_or_parent: bool,
}

fn parse_mlsd_facts_line(line: &str) -> Option<ParsedMlsdLine> {
    let line = strip_line_ending(line);
    let line = line.strip_prefix(' ').unwrap_or(line);
    let (facts_text, name) = line.split_once("; ")?;
    if name.is_empty() {
        return None;
    }
    let facts = MlsdFacts::parse(facts_text)?;
    Some(facts.into_parsed_line(name))
}

/// The facts of one MLSD line that we use, collected before deciding on precedence (e.g.
/// `UNIX.mode` beats `perm` whatever order the server sent them in).
#[derive(Default)]
struct MlsdFacts {
    kind: Option<EntryKind>,
    is_listed_dir_or_parent: bool,
    link_target: Option<String>,
    size: Option<u64>,
    directory_size: Option<u64>,
    modified: Option<Timestamp>,
    perm: Option<String>,
    unix_mode: Option<String>,
    owner_name: Option<String>,
    owner_id: Option<String>,
    group_name: Option<String>,
    group_id: Option<String>,
}

impl MlsdFacts {
    /// Parse `fact=value;fact=value` (the trailing `;` already removed by the caller's split).
    /// `None` when there is no fact at all, or a fact has no `=` or an invalid name.
    fn parse(facts_text: &str) -> Option<MlsdFacts> {
        let mut facts = MlsdFacts::default();
        let mut saw_fact = false;
        // Tolerate empty facts (`;;`): harmless and seen from sloppy servers.
        for fact in facts_text.split(';').filter(|fact| !fact.is_empty()) {
            let (name, value) = fact.split_once('=')?;
            if !is_fact_name(name) {
                return None;
            }
            facts.absorb(name, value);
            saw_fact = true;
        }
        saw_fact.then_some(facts)
    }

    fn absorb(&mut self, name: &str, value: &str) {
        let value = value.trim();
        let is = |wanted: &str| name.eq_ignore_ascii_case(wanted);
        if is("type") {
            self.absorb_type(value);
        } else if is("size") {
            self.size = value.parse().ok();
        } else if is("sizd") {
            self.directory_size = value.parse().ok();
        } else if is("modify") {
            self.modified = Timestamp::parse_ftp_time(value);
        } else if is("perm") {
            self.perm = Some(value.to_owned());
        } else if is("unix.mode") {
            self.unix_mode = Some(value.to_owned());
        } else if is("unix.owner") || is("unix.ownername") {
            self.owner_name = Some(value.to_owned());
        } else if is("unix.uid") {
            self.owner_id = Some(value.to_owned());
        } else if is("unix.group") || is("unix.groupname") {
            self.group_name = Some(value.to_owned());
        } else if is("unix.gid") {
            self.group_id = Some(value.to_owned());
        }
        // Any other fact (create, unique, lang, media-type, charset…) is not needed here.
    }

    fn absorb_type(&mut self, value: &str) {
        let is = |wanted: &str| value.eq_ignore_ascii_case(wanted);
        self.is_listed_dir_or_parent = is("cdir") || is("pdir");
        self.link_target = None;
        self.kind = Some(if is("file") {
            EntryKind::File
        } else if is("dir") || self.is_listed_dir_or_parent {
            EntryKind::Dir
        } else if let Some(target) = unix_symlink_target(value) {
            self.link_target = target;
            EntryKind::Symlink
        } else {
            EntryKind::Other
        });
    }

    fn into_parsed_line(self, name: &str) -> ParsedMlsdLine {
        let mut entry = Entry::new(name, self.kind.unwrap_or(EntryKind::Other));
        entry.size = self.size.or(self.directory_size);
        entry.modified = self.modified;
        entry.modified_exact = self.modified.is_some();
        entry.permissions = self.unix_mode.or(self.perm);
        entry.owner = self.owner_name.or(self.owner_id);
        entry.group = self.group_name.or(self.group_id);
        entry.link_target = self.link_target;
        ParsedMlsdLine {
            entry,
            describes_listed_dir_or_parent: self.is_listed_dir_or_parent,
        }
    }
}

/// RFC 3659 fact names are non-empty runs of printable ASCII without spaces; insisting on
/// that keeps text that merely contains `=` and `; ` from being read as facts.
fn is_fact_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|byte| byte.is_ascii_graphic())
}

/// Recognise the symlink spellings of the `type` fact: `OS.unix=slink:/target` (with or without
/// a target) and `OS.unix=symlink`. Outer `None`: not a symlink; inner `None`: no target given.
fn unix_symlink_target(type_value: &str) -> Option<Option<String>> {
    const PREFIX: &str = "os.unix=";
    let os_type = type_value
        .get(..PREFIX.len())
        .filter(|prefix| prefix.eq_ignore_ascii_case(PREFIX))
        .and_then(|_| type_value.get(PREFIX.len()..))?;
    let (link_word, target) = match os_type.split_once(':') {
        Some((word, target)) => (word, Some(target)),
        None => (os_type, None),
    };
    let is_link =
        link_word.eq_ignore_ascii_case("slink") || link_word.eq_ignore_ascii_case("symlink");
    is_link.then(|| {
        target
            .filter(|target| !target.is_empty())
            .map(str::to_owned)
    })
}

// ---------------------------------------------------------------------------------------------
// LIST: auto-detection and whole bodies
// ---------------------------------------------------------------------------------------------

/// Parse one LIST line, auto-detecting Unix `ls -l` or MS-DOS/IIS format.
///
/// `now` is the current time, used to pick the year for Unix recent-form dates: "Jan  2 15:04"
/// has no year, so it is taken as the most recent such date that is at most one day after
/// `now` (the slack absorbs clock and time-zone differences with the server).
///
/// Returns `None` for lines neither parser accepts (including `total N` and lines with an empty
/// name). "." and ".." are returned; `parse_list` drops them.
pub fn parse_list_line(line: &str, now: Timestamp) -> Option<(ListingFormat, Entry)> {
    let line = strip_line_ending(line);
    if let Some(entry) = parse_unix_line(line, now) {
        return Some((ListingFormat::Unix, entry));
    }
    parse_dos_line(line).map(|entry| (ListingFormat::Dos, entry))
}

/// Parse a whole LIST body (CRLF or LF lines, non-UTF-8 decoded lossily). Skips `total 123`
/// lines, blanks, unparseable lines, "." and "..".
///
/// Each line is detected on its own, so a server mixing formats (rare, but proxies do odd
/// things) still yields every entry it can.
pub fn parse_list(body: &[u8], now: Timestamp) -> Vec<Entry> {
    let text = String::from_utf8_lossy(body);
    body_lines(&text)
        .filter(|line| !is_blank(line) && !is_total_line(line))
        .filter_map(|line| parse_list_line(line, now))
        .map(|(_, entry)| entry)
        .filter(|entry| !is_self_or_parent(&entry.name))
        .collect()
}

/// `ls -l` starts with `total <blocks>`; it is not an entry.
fn is_total_line(line: &str) -> bool {
    match tokenize(line).as_slice() {
        [word, count] => word.text.eq_ignore_ascii_case("total") && is_ascii_digits(count.text),
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// LIST: Unix `ls -l`
// ---------------------------------------------------------------------------------------------

/// `perms links owner group size month day time-or-year name`, where links/owner/group vary
/// between servers. We anchor on the date (month name, day, time or year), which every variant
/// has, and read the columns before it relative to it.
pub(crate) fn parse_unix_line(line: &str, now: Timestamp) -> Option<Entry> {
    let tokens = tokenize(line);
    let mode = tokens.first()?;
    let kind = unix_kind_from_mode(mode.text)?;
    let columns = find_unix_date_columns(&tokens, now)?;
    let name_field = rest_after_one_separator(line, columns.date_last_token);
    let (name, link_target) = split_link_target(name_field, kind);
    if name.is_empty() {
        return None;
    }
    let (owner, group) = tokens
        .get(1..columns.size_index)
        .map(owner_and_group)
        .unwrap_or_default();
    let mut entry = Entry::new(name, kind);
    entry.size = columns.size;
    entry.modified = Some(columns.modified);
    entry.modified_day_only = columns.day_only;
    entry.permissions = Some(mode.text.to_owned());
    entry.owner = owner;
    entry.group = group;
    entry.link_target = link_target;
    Some(entry)
}

/// Read the entry type from an `ls -l` mode column like `drwxr-xr-x`, `-rw-r--r--+` (ACL) or
/// `drwxr-xr-x.` (SELinux). `None` if it does not look like a mode, which is how Unix lines
/// are told apart from other formats.
fn unix_kind_from_mode(mode: &str) -> Option<EntryKind> {
    const PERMISSION_CHARS: &str = "-rwxsStTlL";
    const MARKER_CHARS: &str = "+.@";
    let mut chars = mode.chars();
    let kind = match chars.next()? {
        '-' => EntryKind::File,
        'd' => EntryKind::Dir,
        'l' => EntryKind::Symlink,
        // Character/block devices, pipes, sockets, Solaris doors, HP-UX network files, BSD
        // whiteouts: nothing we can transfer.
        'c' | 'b' | 'p' | 's' | 'D' | 'n' | 'w' => EntryKind::Other,
        _ => return None,
    };
    let permission_bits_ok = chars
        .by_ref()
        .take(9)
        .filter(|c| PERMISSION_CHARS.contains(*c))
        .count()
        == 9;
    let markers_ok = chars.all(|c| MARKER_CHARS.contains(c));
    (permission_bits_ok && markers_ok).then_some(kind)
}

/// Where the date sits in a Unix line, plus what was read from the size column before it.
struct UnixDateColumns<'t, 'a> {
    /// Index of the first token of the size column (the major number for devices); the
    /// columns between the mode and here are links/owner/group.
    size_index: usize,
    size: Option<u64>,
    modified: Timestamp,
    /// The date has a year and no time (see [`Entry::modified_day_only`]).
    day_only: bool,
    /// The time-or-year token; the name starts one separator after it.
    date_last_token: &'t Token<'a>,
}

/// Find the leftmost `month day time-or-year` triple preceded by a size column. Leftmost,
/// so a date-like text inside the file name can't be mistaken for the date column.
fn find_unix_date_columns<'t, 'a>(
    tokens: &'t [Token<'a>],
    now: Timestamp,
) -> Option<UnixDateColumns<'t, 'a>> {
    // The mode is token 0 and the size at least token 1, so a month can start at 2.
    (2..tokens.len()).find_map(|month_index| {
        let month = tokens.get(month_index)?;
        let day = tokens.get(month_index + 1)?;
        let time_or_year = tokens.get(month_index + 2)?;
        let date = parse_unix_date(month.text, day.text, time_or_year.text)?;
        let modified = date.resolve(now)?;
        let (size_index, size) = unix_size_column(tokens, month_index)?;
        Some(UnixDateColumns {
            size_index,
            size,
            modified,
            day_only: matches!(date, UnixDate::WithYear { .. }),
            date_last_token: time_or_year,
        })
    })
}

/// Read the size column just before the month: a byte count, or for device files a
/// `major, minor` pair (one or two tokens) which is not a size at all. Returns the index of
/// the column's first token and the size. A size too large for `u64` is kept as unknown.
fn unix_size_column(tokens: &[Token<'_>], month_index: usize) -> Option<(usize, Option<u64>)> {
    let last_index = month_index.checked_sub(1).filter(|index| *index >= 1)?;
    let last = tokens.get(last_index)?.text;
    if let Some((major, minor)) = last.split_once(',')
        && is_ascii_digits(major)
        && is_ascii_digits(minor)
    {
        return Some((last_index, None));
    }
    if !is_ascii_digits(last) {
        return None;
    }
    if let Some(major_index) = last_index.checked_sub(1).filter(|index| *index >= 1)
        && let Some(major) = tokens.get(major_index)
        && major.text.strip_suffix(',').is_some_and(is_ascii_digits)
    {
        return Some((major_index, None));
    }
    Some((last_index, last.parse().ok()))
}

/// Split the columns between mode and size into owner and group. Usually `links owner
/// group`, but some servers omit the group (`links owner`) or the link count (`owner group`).
fn owner_and_group(columns: &[Token<'_>]) -> (Option<String>, Option<String>) {
    let owned = |token: &Token<'_>| Some(token.text.to_owned());
    match columns {
        [] => (None, None),
        // A lone number is the link count; a lone word is an owner.
        [only] if is_ascii_digits(only.text) => (None, None),
        [only] => (owned(only), None),
        [links, owner] if is_ascii_digits(links.text) => (owned(owner), None),
        [owner, group] => (owned(owner), owned(group)),
        // Extra columns after the group (e.g. BSD `ls -lo` file flags) are ignored.
        [_links, owner, group, ..] => (owned(owner), owned(group)),
    }
}

/// `ls -l` shows symlinks as `name -> target`. Only split for symlinks: for other entries
/// " -> " is just part of the name. With several arrows the first one separates.
fn split_link_target(name_field: &str, kind: EntryKind) -> (&str, Option<String>) {
    if kind != EntryKind::Symlink {
        return (name_field, None);
    }
    match name_field.split_once(" -> ") {
        Some((name, target)) if !target.is_empty() => (name, Some(target.to_owned())),
        Some((name, _)) => (name, None),
        None => (name_field, None),
    }
}

/// The two date shapes of `ls -l`: recent files show the time but no year, older ones
/// (or future-dated ones) show the year but no time.
enum UnixDate {
    Recent {
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
    },
    WithYear {
        year: i32,
        month: u8,
        day: u8,
    },
}

fn parse_unix_date(month: &str, day: &str, time_or_year: &str) -> Option<UnixDate> {
    let month = parse_month_abbreviation(month)?;
    let day: u8 = small_number(day, 1, 2)?;
    if !(1..=31).contains(&day) {
        return None;
    }
    if let Some((hour, minute)) = time_or_year.split_once(':') {
        return Some(UnixDate::Recent {
            month,
            day,
            hour: small_number(hour, 1, 2)?,
            minute: small_number(minute, 2, 2)?,
        });
    }
    Some(UnixDate::WithYear {
        year: small_number(time_or_year, 4, 4)?,
        month,
        day,
    })
}

impl UnixDate {
    /// Turn the date into a timestamp, validating it; recent-form dates get their year from
    /// `now`.
    fn resolve(&self, now: Timestamp) -> Option<Timestamp> {
        match *self {
            UnixDate::WithYear { year, month, day } => {
                Timestamp::checked(year, month, day, 0, 0, 0)
            }
            UnixDate::Recent {
                month,
                day,
                hour,
                minute,
            } => infer_recent_year(month, day, hour, minute, now),
        }
    }
}

/// `ls` shows the time instead of the year for files modified in roughly the last six months,
/// so the intended date is the most recent one with that month/day/time that is not after
/// `now` — allowing one day of slack because the server's clock and time zone differ from
/// ours. Candidates start at next year (a Jan 1 entry seen on Dec 31) and go back far enough
/// that a Feb 29 always finds a leap year (gaps between leap years are at most 8 years).
fn infer_recent_year(
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    now: Timestamp,
) -> Option<Timestamp> {
    const YEARS_TO_TRY: i32 = 10;
    let latest_acceptable = now.unix_seconds() + SECONDS_PER_DAY;
    let newest_candidate = now.year.saturating_add(1);
    (0..YEARS_TO_TRY)
        .filter_map(|years_back| {
            let year = newest_candidate.saturating_sub(years_back);
            Timestamp::checked(year, month, day, hour, minute, 0)
        })
        .find(|candidate| candidate.unix_seconds() <= latest_acceptable)
}

/// English three-letter month abbreviations as `ls` prints them in the C locale, matched
/// case-insensitively because some servers print `JAN`.
fn parse_month_abbreviation(text: &str) -> Option<u8> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let index = MONTHS
        .iter()
        .position(|month| month.eq_ignore_ascii_case(text))?;
    u8::try_from(index + 1).ok()
}

// ---------------------------------------------------------------------------------------------
// LIST: MS-DOS / IIS
// ---------------------------------------------------------------------------------------------

/// `MM-DD-YY  hh:mmAM  <DIR>|size  name`. Columns are padded with runs of spaces, so unlike
/// Unix lines the name's leading whitespace cannot be told from padding and is dropped.
pub(crate) fn parse_dos_line(line: &str) -> Option<Entry> {
    let tokens = tokenize(line);
    let [date, time, size_or_dir, _name_start, ..] = tokens.as_slice() else {
        return None;
    };
    let (year, month, day) = parse_dos_date(date.text)?;
    let (hour, minute) = parse_dos_time(time.text)?;
    let modified = Timestamp::checked(year, month, day, hour, minute, 0)?;
    let (kind, size) = parse_dos_size_column(size_or_dir.text)?;
    let name = line
        .get(size_or_dir.end..)?
        .trim_start_matches(is_column_separator);
    if name.is_empty() {
        return None;
    }
    let mut entry = Entry::new(name, kind);
    entry.size = size;
    entry.modified = Some(modified);
    Some(entry)
}

/// `MM-DD-YY` or `MM-DD-YYYY` (some servers use `/`). Two-digit years pivot at 70, like most
/// FTP clients: 00–69 are 2000–2069, 70–99 are 1970–1999.
fn parse_dos_date(text: &str) -> Option<(i32, u8, u8)> {
    let mut parts = text.split(['-', '/']);
    let month: u8 = small_number(parts.next()?, 1, 2)?;
    let day: u8 = small_number(parts.next()?, 1, 2)?;
    let year_text = parts.next()?;
    if parts.next().is_some() {
        return None;
    }
    let year: i32 = match year_text.len() {
        2 => {
            let short: i32 = small_number(year_text, 2, 2)?;
            if short < 70 {
                2000 + short
            } else {
                1900 + short
            }
        }
        4 => small_number(year_text, 4, 4)?,
        _ => return None,
    };
    Some((year, month, day))
}

/// `03:04PM` (12-hour, where 12:xxAM is just after midnight and 12:xxPM just after noon) or
/// `15:04` (24-hour, as IIS sends when configured for it).
fn parse_dos_time(text: &str) -> Option<(u8, u8)> {
    let (clock, meridiem) = split_meridiem(text);
    let (hour_text, minute_text) = clock.split_once(':')?;
    let hour: u8 = small_number(hour_text, 1, 2)?;
    let minute: u8 = small_number(minute_text, 2, 2)?;
    if minute >= 60 {
        return None;
    }
    let hour = match meridiem {
        None if hour < 24 => hour,
        Some(Meridiem::Am) if (1..=12).contains(&hour) => hour % 12,
        Some(Meridiem::Pm) if (1..=12).contains(&hour) => hour % 12 + 12,
        _ => return None,
    };
    Some((hour, minute))
}

enum Meridiem {
    Am,
    Pm,
}

/// Split a trailing AM/PM (any case) off a time.
fn split_meridiem(text: &str) -> (&str, Option<Meridiem>) {
    let split = text
        .len()
        .checked_sub(2)
        .and_then(|at| Some((text.get(..at)?, text.get(at..)?)));
    match split {
        Some((clock, suffix)) if suffix.eq_ignore_ascii_case("am") => (clock, Some(Meridiem::Am)),
        Some((clock, suffix)) if suffix.eq_ignore_ascii_case("pm") => (clock, Some(Meridiem::Pm)),
        _ => (text, None),
    }
}

/// `<DIR>` marks a directory; other `<…>` markers (`<JUNCTION>`, `<SYMLINKD>`) are Windows
/// reparse points we cannot follow, so `Other`. Otherwise a byte count, possibly with
/// thousands separators.
fn parse_dos_size_column(text: &str) -> Option<(EntryKind, Option<u64>)> {
    if text.eq_ignore_ascii_case("<DIR>") {
        return Some((EntryKind::Dir, None));
    }
    if text.starts_with('<') && text.ends_with('>') {
        return Some((EntryKind::Other, None));
    }
    let starts_with_digit = text
        .bytes()
        .next()
        .is_some_and(|byte| byte.is_ascii_digit());
    let digits_and_commas = text
        .bytes()
        .all(|byte| byte.is_ascii_digit() || byte == b',');
    if !(starts_with_digit && digits_and_commas) {
        return None;
    }
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    Some((EntryKind::File, digits.parse().ok()))
}

// ---------------------------------------------------------------------------------------------
// The end of a listing
// ---------------------------------------------------------------------------------------------

/// Whether the final (2xx) reply to a listing still says that the listing failed. vsftpd
/// answers the listing of a folder it cannot open with `150`, no data and `226 Transfer done
/// (but failed to open directory).`: read by its code alone, that is an empty folder, and a
/// synchronisation would delete what it holds on the other side. Quoted text is left out first:
/// servers such as FileZilla Server quote the folder's path in their 226, and a folder may be
/// called "cannot open".
pub(crate) fn final_reply_admits_failure(text: &str) -> bool {
    const ADMISSIONS: [&str; 5] = [
        "failed to open",
        "could not open",
        "cannot open",
        "can't open",
        "permission denied",
    ];
    let unquoted: String = text.split('"').step_by(2).collect::<Vec<_>>().join(" ");
    let unquoted = unquoted.to_ascii_lowercase();
    ADMISSIONS.iter().any(|words| unquoted.contains(words))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_226_that_admits_a_failed_listing_is_read_as_one() {
        assert!(final_reply_admits_failure(
            "Transfer done (but failed to open directory)."
        ));
        assert!(final_reply_admits_failure(
            "Can't open directory: Permission denied"
        ));
        for fine in [
            "Directory send OK.",
            "Transfer complete",
            "Options: -l \n0 matches total",
            "Successfully transferred \"/cannot open me\"",
        ] {
            assert!(!final_reply_admits_failure(fine), "{fine}");
        }
    }

    fn ts(year: i32, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> Timestamp {
        Timestamp {
            year,
            month,
            day,
            hour,
            minute,
            second,
        }
    }

    /// A fixed "now" in mid-2024 so recent-form dates resolve predictably.
    fn now() -> Timestamp {
        ts(2024, 6, 15, 12, 0, 0)
    }

    fn unix(line: &str) -> Entry {
        match parse_list_line(line, now()) {
            Some((ListingFormat::Unix, entry)) => entry,
            other => panic!("expected a Unix entry for {line:?}, got {other:?}"),
        }
    }

    fn dos(line: &str) -> Entry {
        match parse_list_line(line, now()) {
            Some((ListingFormat::Dos, entry)) => entry,
            other => panic!("expected a DOS entry for {line:?}, got {other:?}"),
        }
    }

    fn mlsd(line: &str) -> Entry {
        match parse_mlsd_line(line) {
            Some(entry) => entry,
            None => panic!("expected an MLSD entry for {line:?}"),
        }
    }

    fn names(entries: &[Entry]) -> Vec<&str> {
        entries.iter().map(|entry| entry.name.as_str()).collect()
    }

    // ----- Timestamp -----

    #[test]
    fn unix_seconds_of_known_instants() {
        assert_eq!(ts(1970, 1, 1, 0, 0, 0).unix_seconds(), 0);
        assert_eq!(ts(2024, 1, 2, 15, 4, 5).unix_seconds(), 1_704_207_845);
        assert_eq!(ts(2000, 2, 29, 0, 0, 0).unix_seconds(), 951_782_400);
        assert_eq!(ts(2000, 3, 1, 0, 0, 0).unix_seconds(), 951_868_800);
        assert_eq!(ts(1969, 12, 31, 23, 59, 59).unix_seconds(), -1);
        assert_eq!(ts(2038, 1, 19, 3, 14, 8).unix_seconds(), 1 << 31);
    }

    #[test]
    fn from_unix_seconds_of_known_instants() {
        assert_eq!(Timestamp::from_unix_seconds(0), ts(1970, 1, 1, 0, 0, 0));
        assert_eq!(
            Timestamp::from_unix_seconds(1_704_207_845),
            ts(2024, 1, 2, 15, 4, 5)
        );
        assert_eq!(
            Timestamp::from_unix_seconds(-1),
            ts(1969, 12, 31, 23, 59, 59)
        );
        assert_eq!(
            Timestamp::from_unix_seconds(951_782_400),
            ts(2000, 2, 29, 0, 0, 0)
        );
    }

    #[test]
    fn round_trips_every_day_from_1970_to_2100() {
        let start = ts(1970, 1, 1, 0, 0, 0).unix_seconds();
        let end = ts(2100, 12, 31, 0, 0, 0).unix_seconds();
        let mut previous: Option<Timestamp> = None;
        let mut leap_days = 0;
        let mut day_seconds = start;
        let mut offset_in_day = 0_i64;
        while day_seconds <= end {
            // Vary the time of day so hours/minutes/seconds are exercised too.
            let secs = day_seconds + offset_in_day;
            let stamp = Timestamp::from_unix_seconds(secs);
            assert_eq!(stamp.unix_seconds(), secs, "{stamp}");
            assert!(
                Timestamp::checked(
                    stamp.year,
                    stamp.month,
                    stamp.day,
                    stamp.hour,
                    stamp.minute,
                    stamp.second
                )
                .is_some()
            );
            if let Some(before) = previous {
                assert!(before < stamp, "{before} should sort before {stamp}");
            }
            if stamp.month == 2 && stamp.day == 29 {
                assert!(is_leap_year(stamp.year));
                leap_days += 1;
            }
            previous = Some(stamp);
            day_seconds += SECONDS_PER_DAY;
            offset_in_day = (offset_in_day + 3_607) % SECONDS_PER_DAY;
        }
        // 1972, 1976, …, 2096: 32 leap years; 2100 is not one.
        assert_eq!(leap_days, 32);
    }

    #[test]
    fn leap_day_boundaries() {
        let day_after =
            |stamp: Timestamp| Timestamp::from_unix_seconds(stamp.unix_seconds() + SECONDS_PER_DAY);
        assert_eq!(
            day_after(ts(2024, 2, 28, 0, 0, 0)),
            ts(2024, 2, 29, 0, 0, 0)
        );
        assert_eq!(day_after(ts(2024, 2, 29, 0, 0, 0)), ts(2024, 3, 1, 0, 0, 0));
        assert_eq!(
            day_after(ts(2000, 2, 28, 0, 0, 0)),
            ts(2000, 2, 29, 0, 0, 0)
        );
        assert_eq!(day_after(ts(2100, 2, 28, 0, 0, 0)), ts(2100, 3, 1, 0, 0, 0));
        assert_eq!(
            day_after(ts(2023, 12, 31, 0, 0, 0)),
            ts(2024, 1, 1, 0, 0, 0)
        );
    }

    #[test]
    fn extreme_values_do_not_panic() {
        for secs in [i64::MIN, i64::MIN + 1, -1, 0, 1, i64::MAX - 1, i64::MAX] {
            let _ = Timestamp::from_unix_seconds(secs).unix_seconds();
        }
        let nonsense = ts(i32::MIN, 0, 0, 255, 255, 255);
        let _ = nonsense.unix_seconds();
        let _ = ts(i32::MAX, 255, 255, 255, 255, 255).unix_seconds();
        let _ = nonsense.to_string();
    }

    #[test]
    fn display_is_iso_like() {
        assert_eq!(ts(2024, 1, 2, 15, 4, 5).to_string(), "2024-01-02 15:04:05");
        assert_eq!(ts(999, 12, 31, 0, 0, 0).to_string(), "0999-12-31 00:00:00");
    }

    #[test]
    fn ordering_is_chronological() {
        assert!(ts(2023, 12, 31, 23, 59, 59) < ts(2024, 1, 1, 0, 0, 0));
        assert!(ts(2024, 1, 1, 0, 0, 1) > ts(2024, 1, 1, 0, 0, 0));
    }

    #[test]
    fn parse_ftp_time_accepts_valid_values() {
        let parse = Timestamp::parse_ftp_time;
        assert_eq!(parse("20240102150405"), Some(ts(2024, 1, 2, 15, 4, 5)));
        assert_eq!(parse("20240102150405.123"), Some(ts(2024, 1, 2, 15, 4, 5)));
        assert_eq!(parse("20240102150405.9"), Some(ts(2024, 1, 2, 15, 4, 5)));
        assert_eq!(parse(" 20240229000000 "), Some(ts(2024, 2, 29, 0, 0, 0)));
        assert_eq!(parse("19700101000000"), Some(ts(1970, 1, 1, 0, 0, 0)));
        assert_eq!(parse("99991231235959"), Some(ts(9999, 12, 31, 23, 59, 59)));
        // RFC 3659 allows second 60 for leap seconds.
        assert_eq!(parse("20161231235960"), Some(ts(2016, 12, 31, 23, 59, 60)));
    }

    #[test]
    fn parse_ftp_time_rejects_malformed_values() {
        for bad in [
            "",
            "2024",
            "2024010215040",   // 13 digits
            "202401021504050", // 15 digits
            "20241302150405",  // month 13
            "20240002150405",  // month 0
            "20240132150405",  // day 32
            "20240100150405",  // day 0
            "20230229150405",  // Feb 29 in a non-leap year
            "20240431150405",  // April 31
            "20240102240405",  // hour 24
            "20240102156005",  // minute 60
            "20240102150461",  // second 61
            "2024010215040a",
            "2024-01-02 15:04",
            "+2024010215040",
            "09990102150405", // year below RFC range
            "20240102150405.",
            "20240102150405.12a",
            "20240102150405.1.2",
            ".123",
            "２０２４0102150405", // non-ASCII digits
            "191240102150405",    // the classic Y2K "19124" bug
        ] {
            assert_eq!(Timestamp::parse_ftp_time(bad), None, "{bad:?}");
        }
    }

    // ----- MLSD -----

    #[test]
    fn mlsd_file_with_facts() {
        let entry = mlsd("type=file;size=1024;modify=20240102150405;perm=r; a file.txt");
        assert_eq!(
            entry,
            Entry {
                name: "a file.txt".into(),
                kind: EntryKind::File,
                size: Some(1024),
                modified: Some(ts(2024, 1, 2, 15, 4, 5)),
                modified_exact: true,
                modified_day_only: false,
                permissions: Some("r".into()),
                owner: None,
                group: None,
                link_target: None,
            }
        );
    }

    #[test]
    fn mlsd_dir_with_fractional_time() {
        let entry = mlsd("type=dir;modify=20240102150405.123;perm=flcdmpe; sub");
        assert_eq!(entry.name, "sub");
        assert_eq!(entry.kind, EntryKind::Dir);
        assert_eq!(entry.modified, Some(ts(2024, 1, 2, 15, 4, 5)));
        assert_eq!(entry.permissions.as_deref(), Some("flcdmpe"));
        assert_eq!(entry.size, None);
    }

    #[test]
    fn mlsd_line_returns_cdir_and_pdir_as_dirs() {
        let current = mlsd("Type=cdir; .");
        assert_eq!((current.name.as_str(), current.kind), (".", EntryKind::Dir));
        let parent = mlsd("type=pdir; ..");
        assert_eq!((parent.name.as_str(), parent.kind), ("..", EntryKind::Dir));
        let named_cdir = mlsd("type=cdir;modify=20240102150405; /home/user");
        assert_eq!(named_cdir.kind, EntryKind::Dir);
        assert_eq!(named_cdir.name, "/home/user");
    }

    #[test]
    fn mlsd_symlinks() {
        let slink = mlsd("type=OS.unix=slink:/etc/x; link");
        assert_eq!(slink.kind, EntryKind::Symlink);
        assert_eq!(slink.link_target.as_deref(), Some("/etc/x"));
        assert_eq!(slink.name, "link");

        let symlink = mlsd("type=OS.unix=symlink; l");
        assert_eq!(symlink.kind, EntryKind::Symlink);
        assert_eq!(symlink.link_target, None);

        let no_target = mlsd("type=os.UNIX=SLINK:; l");
        assert_eq!(no_target.kind, EntryKind::Symlink);
        assert_eq!(no_target.link_target, None);

        let bare = mlsd("type=OS.unix=slink; l");
        assert_eq!(bare.kind, EntryKind::Symlink);

        let target_with_equals = mlsd("type=OS.unix=slink:a=b/c; l");
        assert_eq!(target_with_equals.link_target.as_deref(), Some("a=b/c"));
    }

    #[test]
    fn mlsd_other_os_types_are_other() {
        assert_eq!(mlsd("type=OS.unix=chr-1/3; null").kind, EntryKind::Other);
        assert_eq!(mlsd("type=OS.unix=blk; sda").kind, EntryKind::Other);
        assert_eq!(mlsd("type=OS.win=junction; j").kind, EntryKind::Other);
        assert_eq!(mlsd("type=weird; w").kind, EntryKind::Other);
        // No type fact at all: we don't pretend to know.
        assert_eq!(mlsd("size=5; untyped").kind, EntryKind::Other);
    }

    #[test]
    fn mlsd_unix_facts() {
        let entry = mlsd("UNIX.mode=0644;type=file;size=1; f");
        assert_eq!(entry.permissions.as_deref(), Some("0644"));
        assert_eq!(entry.size, Some(1));

        let both = mlsd("UNIX.mode=0755;perm=adfrw;type=file; f");
        assert_eq!(both.permissions.as_deref(), Some("0755"));
        let both_reversed = mlsd("perm=adfrw;type=file;UNIX.mode=0755; f");
        assert_eq!(both_reversed.permissions.as_deref(), Some("0755"));

        let owned =
            mlsd("type=file;UNIX.owner=alice;UNIX.group=staff;UNIX.uid=1000;UNIX.gid=50; f");
        assert_eq!(owned.owner.as_deref(), Some("alice"));
        assert_eq!(owned.group.as_deref(), Some("staff"));

        let numeric = mlsd("type=file;unix.uid=1000;unix.gid=50; f");
        assert_eq!(numeric.owner.as_deref(), Some("1000"));
        assert_eq!(numeric.group.as_deref(), Some("50"));

        let pure_ftpd = mlsd("type=file;UNIX.ownername=bob;UNIX.groupname=users; f");
        assert_eq!(pure_ftpd.owner.as_deref(), Some("bob"));
        assert_eq!(pure_ftpd.group.as_deref(), Some("users"));
    }

    #[test]
    fn mlsd_facts_are_case_insensitive() {
        let entry = mlsd("TYPE=FILE;SIZE=7;MODIFY=20240102150405;PERM=RW; Mixed.TXT");
        assert_eq!(entry.kind, EntryKind::File);
        assert_eq!(entry.size, Some(7));
        assert_eq!(entry.modified, Some(ts(2024, 1, 2, 15, 4, 5)));
        assert_eq!(entry.permissions.as_deref(), Some("RW"));
        assert_eq!(entry.name, "Mixed.TXT");
        assert_eq!(mlsd("type=Dir; d").kind, EntryKind::Dir);
    }

    #[test]
    fn mlsd_unknown_facts_are_ignored() {
        let entry = mlsd(
            "type=file;unique=801U1F2;lang=en;media-type=text/plain;x.custom=1;create=20200101000000;size=3; f",
        );
        assert_eq!(entry.kind, EntryKind::File);
        assert_eq!(entry.size, Some(3));
        assert_eq!(entry.modified, None);
    }

    #[test]
    fn mlsd_sizd_for_directories() {
        let entry = mlsd("type=dir;sizd=4096;modify=20240102150405; d");
        assert_eq!(entry.size, Some(4096));
        let both = mlsd("type=file;sizd=1;size=2; f");
        assert_eq!(both.size, Some(2));
    }

    #[test]
    fn mlsd_bad_values_leave_fields_empty() {
        let entry = mlsd("type=file;size=abc;modify=20241302150405; f");
        assert_eq!(entry.size, None);
        assert_eq!(entry.modified, None);
        let huge = mlsd("type=file;size=99999999999999999999999; f");
        assert_eq!(huge.size, None);
        let big = mlsd("type=file;size=18446744073709551615; f");
        assert_eq!(big.size, Some(u64::MAX));
    }

    #[test]
    fn mlsd_name_is_everything_after_first_separator() {
        assert_eq!(mlsd("type=file; a; b;c").name, "a; b;c");
        assert_eq!(mlsd("type=file; ;").name, ";");
        assert_eq!(mlsd("type=file;  leading space").name, " leading space");
        assert_eq!(mlsd("type=file; trailing space ").name, "trailing space ");
        assert_eq!(mlsd("type=file; type=dir; x").name, "type=dir; x");
        assert_eq!(mlsd("type=file; ../../etc/passwd").name, "../../etc/passwd");
        assert_eq!(
            mlsd("type=file; a\u{1b}[31mb\u{7}").name,
            "a\u{1b}[31mb\u{7}"
        );
    }

    #[test]
    fn mlsd_line_strips_only_line_ending() {
        assert_eq!(mlsd("type=file; f\r\n").name, "f");
        assert_eq!(mlsd("type=file; f \r").name, "f ");
    }

    #[test]
    fn mlst_reply_leading_space_is_tolerated() {
        let entry = mlsd(" type=file;size=3; /pub/f");
        assert_eq!(entry.name, "/pub/f");
        assert_eq!(entry.size, Some(3));
    }

    #[test]
    fn mlsd_facts_with_spaces_in_values_still_split_at_first_separator() {
        let entry = mlsd("type=file;UNIX.owner=John Smith;size=2; f");
        assert_eq!(entry.owner.as_deref(), Some("John Smith"));
        assert_eq!(entry.name, "f");
    }

    #[test]
    fn mlsd_malformed_lines_are_rejected() {
        for bad in [
            "",
            " ",
            "type=file;size=1",
            "type=file;size=1 name",
            "type=file;size=1;name",
            "type=file; ",
            "type=file;\t name",
            "; name",
            ";; name",
            "type; name",
            "=file; name",
            "type=file;size; name",
            "drwxr-xr-x   2 user group 4096 Dec 31 23:59 dir",
            "01-02-24  03:04PM       <DIR>          dir",
            "  type=file; two leading spaces",
        ] {
            assert_eq!(parse_mlsd_line(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn mlsd_tolerates_empty_facts() {
        assert_eq!(mlsd("type=file;;size=4; f").size, Some(4));
    }

    #[test]
    fn parse_mlsd_body() {
        let body = b"Type=cdir;modify=20240102150405; .\r\n\
type=pdir; ..\r\n\
type=cdir; /home/me\r\n\
type=dir;modify=20240102150405;perm=flcdmpe; sub\r\n\
\r\n\
garbage line\n\
type=file;size=1024;modify=20240102150405;perm=r; a file.txt\n\
type=dir; .\n\
type=file; ..\n\
type=OS.unix=slink:/etc/x; link\r\n";
        let entries = parse_mlsd(body);
        assert_eq!(names(&entries), ["sub", "a file.txt", "link"]);
        assert_eq!(entries.get(1).and_then(|entry| entry.size), Some(1024));
    }

    #[test]
    fn parse_mlsd_decodes_non_utf8_lossily() {
        let entries = parse_mlsd(b"type=file;size=1; caf\xe9.txt\r\ntype=file; ok\xff\xfe\r\n");
        assert_eq!(names(&entries), ["caf\u{fffd}.txt", "ok\u{fffd}\u{fffd}"]);
    }

    #[test]
    fn parse_mlsd_of_empty_bodies() {
        assert!(parse_mlsd(b"").is_empty());
        assert!(parse_mlsd(b"\r\n\r\n\n").is_empty());
        assert_eq!(parse_mlsd(b"type=file; x").len(), 1); // no final newline
    }

    // ----- Unix LIST -----

    #[test]
    fn unix_vsftpd_numeric_owners_recent_date() {
        let entry = unix("-rw-r--r--    1 1000     1000         1234 Jan 02 15:04 file.txt");
        assert_eq!(
            entry,
            Entry {
                name: "file.txt".into(),
                kind: EntryKind::File,
                size: Some(1234),
                modified: Some(ts(2024, 1, 2, 15, 4, 0)),
                modified_exact: false,
                modified_day_only: false,
                permissions: Some("-rw-r--r--".into()),
                owner: Some("1000".into()),
                group: Some("1000".into()),
                link_target: None,
            }
        );
    }

    #[test]
    fn unix_year_form_and_name_with_spaces() {
        let entry = unix("-rw-r--r--   1 ftp      ftp      10485760 Mar  5  2023 old file.bin");
        assert_eq!(entry.name, "old file.bin");
        assert_eq!(entry.size, Some(10_485_760));
        assert_eq!(entry.modified, Some(ts(2023, 3, 5, 0, 0, 0)));
        assert!(entry.modified_day_only, "a year and no time: the day only");
        assert_eq!(entry.owner.as_deref(), Some("ftp"));
        assert_eq!(entry.group.as_deref(), Some("ftp"));
    }

    #[test]
    fn unix_dir_preserves_internal_spacing() {
        let entry = unix(
            "drwxr-xr-x   2 user     group        4096 Dec 31 23:59 dir name with  double  spaces",
        );
        assert_eq!(entry.name, "dir name with  double  spaces");
        assert_eq!(entry.kind, EntryKind::Dir);
        assert_eq!(entry.size, Some(4096));
        // Dec 31 2024 would be months after "now", so it is last year's.
        assert_eq!(entry.modified, Some(ts(2023, 12, 31, 23, 59, 0)));
        assert!(!entry.modified_day_only);
        assert_eq!(entry.permissions.as_deref(), Some("drwxr-xr-x"));
    }

    #[test]
    fn unix_symlink_with_target() {
        let entry =
            unix("lrwxrwxrwx   1 root     root           11 Feb 10  2022 link -> target/path");
        assert_eq!(entry.kind, EntryKind::Symlink);
        assert_eq!(entry.name, "link");
        assert_eq!(entry.link_target.as_deref(), Some("target/path"));
        assert_eq!(entry.modified, Some(ts(2022, 2, 10, 0, 0, 0)));
        assert_eq!(entry.size, Some(11));
    }

    #[test]
    fn unix_symlink_edge_cases() {
        let no_arrow = unix("lrwxrwxrwx 1 root root 11 Feb 10 2022 lonely");
        assert_eq!(no_arrow.name, "lonely");
        assert_eq!(no_arrow.link_target, None);

        let two_arrows = unix("lrwxrwxrwx 1 root root 11 Feb 10 2022 a -> b -> c");
        assert_eq!(two_arrows.name, "a");
        assert_eq!(two_arrows.link_target.as_deref(), Some("b -> c"));

        let empty_target = unix("lrwxrwxrwx 1 root root 11 Feb 10 2022 a -> ");
        assert_eq!(empty_target.name, "a");
        assert_eq!(empty_target.link_target, None);

        assert_eq!(
            parse_list_line("lrwxrwxrwx 1 root root 11 Feb 10 2022  -> x", now()),
            None
        );
    }

    #[test]
    fn unix_arrow_in_regular_file_name_is_kept() {
        let entry = unix("-rw-r--r-- 1 u g 5 Jan 2 2024 a -> b");
        assert_eq!(entry.name, "a -> b");
        assert_eq!(entry.link_target, None);
    }

    #[test]
    fn unix_single_spaces() {
        let entry = unix("-rw-r--r-- 1 owner group 5 Jan 2 2024 x");
        assert_eq!(entry.name, "x");
        assert_eq!(entry.size, Some(5));
        assert_eq!(entry.modified, Some(ts(2024, 1, 2, 0, 0, 0)));
        assert_eq!(entry.owner.as_deref(), Some("owner"));
        assert_eq!(entry.group.as_deref(), Some("group"));
    }

    #[test]
    fn unix_server_variants() {
        let proftpd = unix("-rw-r--r--   1 ftp      ftp           123 Jan 02 15:04 proftpd.txt");
        assert_eq!(proftpd.name, "proftpd.txt");
        assert_eq!(proftpd.size, Some(123));

        let pure_ftpd =
            unix("-rw-r--r--    1 1000       1000             12 Jun 14 08:00 pure.txt");
        assert_eq!(pure_ftpd.modified, Some(ts(2024, 6, 14, 8, 0, 0)));
        assert_eq!(pure_ftpd.owner.as_deref(), Some("1000"));

        let tabs = unix("-rw-r--r--\t1\tu\tg\t9\tJan\t2\t2024\ttabbed name");
        assert_eq!(tabs.name, "tabbed name");
        assert_eq!(tabs.size, Some(9));
    }

    #[test]
    fn unix_without_group_column() {
        let entry = unix("-rw-r--r--   1 ftp  1234 Jan 02 15:04 f");
        assert_eq!(entry.owner.as_deref(), Some("ftp"));
        assert_eq!(entry.group, None);
        assert_eq!(entry.size, Some(1234));
        assert_eq!(entry.name, "f");
    }

    #[test]
    fn unix_without_link_count() {
        let entry = unix("-rw-r--r-- owner group 5 Jan 2 2024 f");
        assert_eq!(entry.owner.as_deref(), Some("owner"));
        assert_eq!(entry.group.as_deref(), Some("group"));
        let bare = unix("-rw-r--r-- 5 Jan 2 2024 f");
        assert_eq!((bare.owner, bare.group, bare.size), (None, None, Some(5)));
    }

    #[test]
    fn unix_acl_and_selinux_markers() {
        let acl = unix("-rw-r--r--+  1 u g 5 Jan 2 2024 acl");
        assert_eq!(acl.kind, EntryKind::File);
        assert_eq!(acl.permissions.as_deref(), Some("-rw-r--r--+"));
        let selinux = unix("drwxr-xr-x.  2 u g 6 Jan 2 2024 se");
        assert_eq!(selinux.kind, EntryKind::Dir);
        assert_eq!(selinux.permissions.as_deref(), Some("drwxr-xr-x."));
        let macos = unix("-rw-r--r--@ 1 u staff 5 Jan 2 2024 mac");
        assert_eq!(macos.name, "mac");
    }

    #[test]
    fn unix_special_permission_bits() {
        assert_eq!(
            unix("drwxrwxrwt 2 u g 6 Jan 2 2024 tmp").kind,
            EntryKind::Dir
        );
        assert_eq!(
            unix("-rwsr-xr-x 1 u g 6 Jan 2 2024 su").kind,
            EntryKind::File
        );
        assert_eq!(
            unix("-rwSr-Sr-T 1 u g 6 Jan 2 2024 odd").kind,
            EntryKind::File
        );
    }

    #[test]
    fn unix_device_and_special_files() {
        let null = unix("crw-rw-rw- 1 root root 1, 3 Jan 1 2020 null");
        assert_eq!(null.kind, EntryKind::Other);
        assert_eq!(null.size, None);
        assert_eq!(null.owner.as_deref(), Some("root"));
        assert_eq!(null.group.as_deref(), Some("root"));
        assert_eq!(null.name, "null");
        assert_eq!(null.modified, Some(ts(2020, 1, 1, 0, 0, 0)));

        let compact = unix("brw-rw---- 1 root disk 8,0 Jan 1 2020 sda");
        assert_eq!((compact.kind, compact.size), (EntryKind::Other, None));
        assert_eq!(compact.group.as_deref(), Some("disk"));

        assert_eq!(
            unix("prw-r--r-- 1 u g 0 Jan 1 2020 fifo").kind,
            EntryKind::Other
        );
        assert_eq!(
            unix("srwxr-xr-x 1 u g 0 Jan 1 2020 sock").kind,
            EntryKind::Other
        );
    }

    #[test]
    fn unix_sizes_beyond_u32() {
        let entry = unix("-rw-r--r-- 1 u g 5000000000000 Jan 2 2024 big");
        assert_eq!(entry.size, Some(5_000_000_000_000));
        let max = unix("-rw-r--r-- 1 u g 18446744073709551615 Jan 2 2024 max");
        assert_eq!(max.size, Some(u64::MAX));
        let overflow = unix("-rw-r--r-- 1 u g 18446744073709551616 Jan 2 2024 over");
        assert_eq!(overflow.size, None);
    }

    #[test]
    fn unix_month_names_are_case_insensitive() {
        for month in ["JAN", "jan", "Jan", "jAn"] {
            let entry = unix(&format!("-rw-r--r-- 1 u g 5 {month} 2 2024 x"));
            assert_eq!(entry.modified, Some(ts(2024, 1, 2, 0, 0, 0)));
        }
        let months = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        for (number, month) in (1..).zip(months) {
            let entry = unix(&format!("-rw-r--r-- 1 u g 5 {month} 9 2020 x"));
            assert_eq!(entry.modified.map(|stamp| stamp.month), Some(number));
        }
    }

    #[test]
    fn unix_name_starting_with_spaces_keeps_them() {
        assert_eq!(
            unix("-rw-r--r-- 1 u g 5 Jan 02 15:04   lead").name,
            "  lead"
        );
        assert_eq!(unix("-rw-r--r-- 1 u g 5 Mar  5  2023  lead").name, " lead");
    }

    #[test]
    fn unix_name_keeps_trailing_spaces_but_not_line_ending() {
        assert_eq!(unix("-rw-r--r-- 1 u g 5 Jan 02 15:04 x \r\n").name, "x ");
    }

    #[test]
    fn unix_date_like_text_in_name_or_owner() {
        let in_name = unix("-rw-r--r-- 1 u g 5 Jan 02 15:04 report 7 Feb 03 2020 final");
        assert_eq!(in_name.name, "report 7 Feb 03 2020 final");
        assert_eq!(in_name.modified, Some(ts(2024, 1, 2, 15, 4, 0)));

        let owner_named_like_month = unix("-rw-r--r-- 1 Jan Feb 5 Mar 03 2020 f");
        assert_eq!(owner_named_like_month.owner.as_deref(), Some("Jan"));
        assert_eq!(owner_named_like_month.group.as_deref(), Some("Feb"));
        assert_eq!(
            owner_named_like_month.modified,
            Some(ts(2020, 3, 3, 0, 0, 0))
        );
    }

    #[test]
    fn unix_hostile_names_are_returned_verbatim() {
        assert_eq!(
            unix("-rw-r--r-- 1 u g 5 Jan 2 2024 ../../etc/passwd").name,
            "../../etc/passwd"
        );
        assert_eq!(unix("-rw-r--r-- 1 u g 5 Jan 2 2024 a/b").name, "a/b");
        assert_eq!(
            unix("-rw-r--r-- 1 u g 5 Jan 2 2024 evil\u{1b}[2J\u{0}name").name,
            "evil\u{1b}[2J\u{0}name"
        );
        assert_eq!(unix("-rw-r--r-- 1 u g 5 Jan 2 2024 ..").name, "..");
        assert_eq!(
            unix("-rw-r--r-- 1 u g 5 Jan 2 2024 日本語 ファイル").name,
            "日本語 ファイル"
        );
    }

    #[test]
    fn recent_dates_take_the_year_that_is_not_in_the_future() {
        let at = |now: Timestamp, line: &str| {
            parse_list_line(line, now).and_then(|(_, entry)| entry.modified)
        };
        let new_year_noon = ts(2024, 1, 1, 12, 0, 0);
        // Last night is last year.
        assert_eq!(
            at(new_year_noon, "-rw-r--r-- 1 u g 5 Dec 31 23:00 f"),
            Some(ts(2023, 12, 31, 23, 0, 0))
        );
        // 22 hours ahead is within the one-day slack: this year.
        assert_eq!(
            at(new_year_noon, "-rw-r--r-- 1 u g 5 Jan 02 10:00 f"),
            Some(ts(2024, 1, 2, 10, 0, 0))
        );
        // Exactly one day ahead is still accepted…
        assert_eq!(
            at(new_year_noon, "-rw-r--r-- 1 u g 5 Jan 02 12:00 f"),
            Some(ts(2024, 1, 2, 12, 0, 0))
        );
        // …but one minute more is not, so it must be last year's.
        assert_eq!(
            at(new_year_noon, "-rw-r--r-- 1 u g 5 Jan 02 12:01 f"),
            Some(ts(2023, 1, 2, 12, 1, 0))
        );
        // A New Year's file seen on New Year's Eve (server ahead of us) belongs to next year.
        assert_eq!(
            at(
                ts(2024, 12, 31, 23, 0, 0),
                "-rw-r--r-- 1 u g 5 Jan 01 05:00 f"
            ),
            Some(ts(2025, 1, 1, 5, 0, 0))
        );
        // Earlier the same day.
        assert_eq!(
            at(
                ts(2024, 6, 15, 12, 0, 0),
                "-rw-r--r-- 1 u g 5 Jun 15 11:00 f"
            ),
            Some(ts(2024, 6, 15, 11, 0, 0))
        );
    }

    #[test]
    fn recent_feb_29_goes_back_to_a_leap_year() {
        let at = |now: Timestamp| {
            parse_list_line("-rw-r--r-- 1 u g 5 Feb 29 10:00 leap", now)
                .and_then(|(_, entry)| entry.modified)
        };
        assert_eq!(at(ts(2025, 6, 1, 0, 0, 0)), Some(ts(2024, 2, 29, 10, 0, 0)));
        assert_eq!(at(ts(2024, 3, 1, 0, 0, 0)), Some(ts(2024, 2, 29, 10, 0, 0)));
        assert_eq!(
            at(ts(2024, 2, 28, 12, 0, 0)),
            Some(ts(2024, 2, 29, 10, 0, 0))
        );
        assert_eq!(
            at(ts(2024, 2, 27, 0, 0, 0)),
            Some(ts(2020, 2, 29, 10, 0, 0))
        );
        // 2100 is not a leap year, and neither is anything back to 2097.
        assert_eq!(at(ts(2101, 1, 1, 0, 0, 0)), Some(ts(2096, 2, 29, 10, 0, 0)));
    }

    #[test]
    fn unix_malformed_lines_are_rejected() {
        for bad in [
            "",
            "total 12",
            "-rw-r--r--",
            "-rw-r--r-- 1 u g 5 Jan 02 15:04",   // no name
            "-rw-r--r-- 1 u g 5 Jan 02 15:04 ",  // empty name
            "-rw-r--r-- 1 u g x Jan 02 15:04 f", // size not a number
            "-rw-r--r-- 1 u g -5 Jan 02 15:04 f",
            "xrw-r--r-- 1 u g 5 Jan 02 15:04 f",  // unknown type
            "-rw-r--r 1 u g 5 Jan 02 15:04 f",    // short mode
            "-rw-r--r--x 1 u g 5 Jan 02 15:04 f", // junk after mode
            "-rw-q--r-- 1 u g 5 Jan 02 15:04 f",  // bad permission letter
            "-rw-r--r-- 1 u g 5 Foo 02 15:04 f",
            "-rw-r--r-- 1 u g 5 January 02 15:04 f",
            "-rw-r--r-- 1 u g 5 Jan 32 15:04 f",
            "-rw-r--r-- 1 u g 5 Jan 0 15:04 f",
            "-rw-r--r-- 1 u g 5 Jan 02 24:00 f",
            "-rw-r--r-- 1 u g 5 Jan 02 15:60 f",
            "-rw-r--r-- 1 u g 5 Jan 02 1:4 f",
            "-rw-r--r-- 1 u g 5 Jan 02 :04 f",
            "-rw-r--r-- 1 u g 5 Jan 02 24 f",
            "-rw-r--r-- 1 u g 5 Jan 02 20245 f",
            "-rw-r--r-- 1 u g 5 Feb 30 2024 f",
            "-rw-r--r-- 1 u g 5 Feb 29 2023 f",
            "-rw-r--r-- 1 u g 5 Apr 31 2023 f",
            "-rw-r--r-- Jan 02 15:04 f", // no size column
            "-rw-r--r-- 1 u g 1, Jan 02 15:04 f",
            "d",
            "drwxr-xr-x",
            "     ",
        ] {
            assert_eq!(parse_list_line(bad, now()), None, "{bad:?}");
        }
    }

    // ----- DOS / IIS LIST -----

    #[test]
    fn dos_directory() {
        let entry = dos("01-02-24  03:04PM       <DIR>          dir name");
        assert_eq!(
            entry,
            Entry {
                name: "dir name".into(),
                kind: EntryKind::Dir,
                size: None,
                modified: Some(ts(2024, 1, 2, 15, 4, 0)),
                modified_exact: false,
                modified_day_only: false,
                permissions: None,
                owner: None,
                group: None,
                link_target: None,
            }
        );
    }

    #[test]
    fn dos_file_in_last_century() {
        let entry = dos("12-31-99  11:59AM                 1234 file.txt");
        assert_eq!(entry.kind, EntryKind::File);
        assert_eq!(entry.size, Some(1234));
        assert_eq!(entry.modified, Some(ts(1999, 12, 31, 11, 59, 0)));
        assert_eq!(entry.name, "file.txt");
    }

    #[test]
    fn dos_two_digit_year_pivot() {
        let year = |line: &str| dos(line).modified.map(|stamp| stamp.year);
        assert_eq!(year("01-02-00  03:04PM 5 f"), Some(2000));
        assert_eq!(year("01-02-69  03:04PM 5 f"), Some(2069));
        assert_eq!(year("01-02-70  03:04PM 5 f"), Some(1970));
    }

    #[test]
    fn dos_four_digit_year_and_24_hour_clock() {
        let four = dos("01-02-2024  03:04PM 5 four digit year.txt");
        assert_eq!(four.name, "four digit year.txt");
        assert_eq!(four.size, Some(5));
        assert_eq!(four.modified, Some(ts(2024, 1, 2, 15, 4, 0)));

        let twenty_four = dos("01-02-24  15:04 <DIR> x");
        assert_eq!(twenty_four.kind, EntryKind::Dir);
        assert_eq!(twenty_four.modified, Some(ts(2024, 1, 2, 15, 4, 0)));
        assert_eq!(
            dos("01-02-24  00:00 1 midnight").modified,
            Some(ts(2024, 1, 2, 0, 0, 0))
        );
    }

    #[test]
    fn dos_noon_and_midnight() {
        let hour = |line: &str| dos(line).modified.map(|stamp| (stamp.hour, stamp.minute));
        assert_eq!(hour("01-02-24  12:30AM 5 f"), Some((0, 30)));
        assert_eq!(hour("01-02-24  12:30PM 5 f"), Some((12, 30)));
        assert_eq!(hour("01-02-24  01:00AM 5 f"), Some((1, 0)));
        assert_eq!(hour("01-02-24  11:59PM 5 f"), Some((23, 59)));
        assert_eq!(hour("01-02-24  3:04pm 5 f"), Some((15, 4)));
    }

    #[test]
    fn dos_variants() {
        assert_eq!(
            dos("01/02/2024  03:04PM 5 slashes").modified,
            Some(ts(2024, 1, 2, 15, 4, 0))
        );
        assert_eq!(
            dos("01-02-24  03:04PM 1,234,567 commas").size,
            Some(1_234_567)
        );
        assert_eq!(dos("01-02-24  03:04PM <dir> lower").kind, EntryKind::Dir);
        assert_eq!(dos("01-02-24  03:04PM <JUNCTION> j").kind, EntryKind::Other);
        assert_eq!(
            dos("01-02-24  03:04PM 5000000000000 big").size,
            Some(5_000_000_000_000)
        );
        assert_eq!(
            dos("01-02-24  03:04PM 5   spaced name  ").name,
            "spaced name  "
        );
        assert_eq!(dos("01-02-24  03:04PM 5 a -> b").name, "a -> b");
        assert_eq!(
            dos("01-02-24  03:04PM 5 ..\\..\\boot.ini").name,
            "..\\..\\boot.ini"
        );
    }

    #[test]
    fn dos_malformed_lines_are_rejected() {
        for bad in [
            "01-02-24  03:04PM 5",     // no name
            "01-02-24  03:04PM 5   ",  // blank name
            "01-02-24  03:04PM <DIR>", // no name
            "13-01-24  03:04PM 5 x",   // month 13
            "02-30-24  03:04PM 5 x",   // Feb 30
            "01-32-24  03:04PM 5 x",   // day 32
            "01-02-024  03:04PM 5 x",  // 3-digit year
            "01-02  03:04PM 5 x",      // no year
            "01-02-24-1  03:04PM 5 x", // extra date part
            "01-02-24  13:04PM 5 x",   // 13 PM
            "01-02-24  00:04AM 5 x",   // 0 in 12-hour clock
            "01-02-24  24:00 5 x",     // hour 24
            "01-02-24  03:60PM 5 x",   // minute 60
            "01-02-24  0304PM 5 x",    // no colon
            "01-02-24  03:04XM 5 x",   // bad meridiem
            "01-02-24  03:04PM abc x", // size not a number
            "01-02-24  03:04PM ,5 x",  // size starting with comma
            "01-02-24  03:04PM -5 x",
            "aa-bb-cc  03:04PM 5 x",
            "01-02-24",
        ] {
            assert_eq!(parse_list_line(bad, now()), None, "{bad:?}");
        }
    }

    // ----- whole LIST bodies -----

    #[test]
    fn parse_list_unix_body() {
        let body = b"total 12\r\n\
drwxr-xr-x   3 user     group        4096 Jun 10 09:00 .\r\n\
drwxr-xr-x  10 user     group        4096 Jan  1  2020 ..\r\n\
-rw-r--r--    1 1000     1000         1234 Jan 02 15:04 file.txt\r\n\
\r\n\
this line is junk\r\n\
lrwxrwxrwx   1 root     root           11 Feb 10  2022 link -> target/path\r\n\
drwxr-xr-x   2 user     group        4096 Dec 31 23:59 dir name with  double  spaces\n";
        let entries = parse_list(body, now());
        assert_eq!(
            names(&entries),
            ["file.txt", "link", "dir name with  double  spaces"]
        );
    }

    #[test]
    fn parse_list_dos_body() {
        let body = b"01-02-24  03:04PM       <DIR>          dir name\r\n\
12-31-99  11:59AM                 1234 file.txt\r\n";
        let entries = parse_list(body, now());
        assert_eq!(names(&entries), ["dir name", "file.txt"]);
        assert_eq!(
            entries.first().map(|entry| entry.kind),
            Some(EntryKind::Dir)
        );
    }

    #[test]
    fn parse_list_non_utf8_and_total_variants() {
        let body = b"TOTAL 0\n-rw-r--r-- 1 u g 5 Jan 2 2024 caf\xe9\n-rw-r--r-- 1 u g 5 Jan 2 2024 total 5\n";
        let entries = parse_list(body, now());
        assert_eq!(names(&entries), ["caf\u{fffd}", "total 5"]);
        assert!(parse_list(b"", now()).is_empty());
        assert!(is_total_line("total 12"));
        assert!(!is_total_line("total"));
        assert!(!is_total_line("total 12 x"));
    }

    // ----- garbage -----

    /// Tiny deterministic PRNG (Knuth's MMIX LCG) so the garbage test needs no crates and
    /// fails reproducibly.
    struct Lcg(u64);

    impl Lcg {
        fn next_u64(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            self.0 >> 33
        }

        fn below(&mut self, bound: usize) -> usize {
            usize::try_from(self.next_u64()).unwrap_or(0) % bound.max(1)
        }

        fn pick<'a>(&mut self, items: &[&'a [u8]]) -> &'a [u8] {
            items.get(self.below(items.len())).copied().unwrap_or(b"")
        }
    }

    /// Real lines of every format, as seeds for mutation.
    const SEEDS: [&[u8]; 10] = [
        b"-rw-r--r--    1 1000     1000         1234 Jan 02 15:04 file.txt",
        b"lrwxrwxrwx   1 root     root           11 Feb 10  2022 link -> target/path",
        b"crw-rw-rw- 1 root root 1, 3 Jan 1 2020 null",
        b"drwxr-xr-x.  2 u g 6 Feb 29 10:00 se",
        b"01-02-24  03:04PM       <DIR>          dir name",
        b"12-31-99  11:59AM                 1,234 file.txt",
        b"type=file;size=1024;modify=20240102150405.123;perm=r; a file.txt",
        b"type=OS.unix=slink:/etc/x;UNIX.mode=0755; link",
        b" type=cdir;sizd=4096; .",
        b"total 12",
    ];

    /// Bytes that steer mutations towards separators and field boundaries.
    const INTERESTING: &[u8] = b" \t;=:,-./<>\r\n0912AaPpMm\x00\x7f\xc3\xa9\xe2\x80\xff";

    fn garbage_line(rng: &mut Lcg) -> Vec<u8> {
        match rng.below(3) {
            0 => (0..rng.below(120))
                .map(|_| u8::try_from(rng.next_u64() & 0xff).unwrap_or(0))
                .collect(),
            1 => (0..rng.below(120))
                .map(|_| {
                    let at = rng.below(INTERESTING.len());
                    INTERESTING.get(at).copied().unwrap_or(b' ')
                })
                .collect(),
            _ => {
                let seed = rng.pick(&SEEDS).to_vec();
                mutate(rng, seed)
            }
        }
    }

    /// Overwrite, insert, delete or truncate at random spots of a valid line.
    fn mutate(rng: &mut Lcg, mut line: Vec<u8>) -> Vec<u8> {
        for _ in 0..=rng.below(4) {
            let at = rng.below(line.len() + 1);
            let byte = if rng.below(2) == 0 {
                INTERESTING
                    .get(rng.below(INTERESTING.len()))
                    .copied()
                    .unwrap_or(b' ')
            } else {
                u8::try_from(rng.next_u64() & 0xff).unwrap_or(0)
            };
            match rng.below(4) {
                0 if at < line.len() => {
                    if let Some(slot) = line.get_mut(at) {
                        *slot = byte;
                    }
                }
                1 => line.insert(at, byte),
                2 if at < line.len() => {
                    line.remove(at);
                }
                _ => line.truncate(at),
            }
        }
        line
    }

    #[test]
    fn garbage_never_panics() {
        let mut rng = Lcg(0x5eed_f00d);
        let mut body = Vec::new();
        let mut parsed_lines = 0_usize;
        for _ in 0..4_000 {
            let line = garbage_line(&mut rng);
            let as_text = String::from_utf8_lossy(&line);
            // Vary "now" too: anywhere from 1970 to about 2170.
            let now = Timestamp::from_unix_seconds(i64::try_from(rng.next_u64() * 3).unwrap_or(0));
            let mlsd_entry = parse_mlsd_line(&as_text);
            let list_entry = parse_list_line(&as_text, now);
            let _ = Timestamp::parse_ftp_time(&as_text);
            parsed_lines += usize::from(mlsd_entry.is_some()) + usize::from(list_entry.is_some());
            let body_entries = parse_mlsd(&line).into_iter().chain(parse_list(&line, now));
            for entry in body_entries {
                assert!(!entry.name.is_empty(), "{entry:?} from {as_text:?}");
            }
            body.extend_from_slice(&line);
            body.extend_from_slice(if rng.below(2) == 0 { b"\r\n" } else { b"\n" });
        }
        let _ = parse_mlsd(&body);
        let _ = parse_list(&body, now());
        // Mutated real lines should often still parse; if none did, the test would only be
        // exercising the early-rejection paths.
        assert!(
            parsed_lines > 200,
            "only {parsed_lines} garbage lines parsed"
        );
    }

    #[test]
    fn extreme_now_does_not_panic() {
        for now in [
            ts(i32::MAX, 12, 31, 23, 59, 59),
            ts(i32::MIN, 1, 1, 0, 0, 0),
            ts(0, 0, 0, 0, 0, 0),
        ] {
            let _ = parse_list_line("-rw-r--r-- 1 u g 5 Feb 29 10:00 f", now);
            let _ = parse_list(b"-rw-r--r-- 1 u g 5 Jan 02 15:04 f\n", now);
        }
    }
}
