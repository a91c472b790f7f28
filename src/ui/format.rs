//! Numbers and times as people read them.

use crate::ftp::Timestamp;

/// `1.5 MiB`, `512 B`.
pub(crate) fn size(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if value >= 100.0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// `2.4 MiB/s`.
pub(crate) fn speed(bytes_per_second: f64) -> String {
    if !bytes_per_second.is_finite() || bytes_per_second <= 0.0 {
        return String::new();
    }
    format!("{}/s", size(bytes_per_second as u64))
}

/// `1:05:09`, `4:07`, `0:03`.
pub(crate) fn duration(seconds: f64) -> String {
    if !seconds.is_finite() || seconds < 0.0 {
        return String::new();
    }
    let s = seconds.round() as u64;
    let (h, m, s) = (s / 3600, (s / 60) % 60, s % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// `2026-11-22 14:05` (as the listing gives it: UTC for MLSD, the server's zone for LIST).
pub(crate) fn timestamp(t: &Timestamp) -> String {
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        t.year, t.month, t.day, t.hour, t.minute
    )
}

/// `14:05:09` of a Unix time, UTC.
pub(crate) fn clock(unix_seconds: i64) -> String {
    let t = Timestamp::from_unix_seconds(unix_seconds);
    format!("{:02}:{:02}:{:02}", t.hour, t.minute, t.second)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_a_file_manager() {
        assert_eq!(size(0), "0 B");
        assert_eq!(size(1023), "1023 B");
        assert_eq!(size(1536), "1.5 KiB");
        assert_eq!(size(200 * 1024 * 1024), "200 MiB");
        assert_eq!(size(u64::MAX), "16384 PiB");
    }

    #[test]
    fn durations_and_speeds() {
        assert_eq!(duration(3.4), "0:03");
        assert_eq!(duration(247.0), "4:07");
        assert_eq!(duration(3909.0), "1:05:09");
        assert_eq!(duration(f64::INFINITY), "");
        assert_eq!(speed(0.0), "");
        assert_eq!(speed(2.5 * 1024.0 * 1024.0), "2.5 MiB/s");
    }
}
