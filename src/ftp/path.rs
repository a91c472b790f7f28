//! Remote path helpers. FTP paths are strings the server interprets; Ferry joins them with `/`
//! (every server in the field accepts it, IIS included) and never lets a line break through.

/// Joins a remote directory and a name: `join("/a", "b")` is `/a/b`, `join("", "b")` is `b`.
pub fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else if dir.ends_with('/') {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}

/// The parent of a remote path: `/a/b` → `/a`, `/a` → `/`, `a` → `` (the current directory).
pub fn parent(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    match trimmed.rfind('/') {
        Some(0) => "/".to_owned(),
        Some(i) => trimmed[..i].to_owned(),
        None if path.starts_with('/') => "/".to_owned(),
        None => String::new(),
    }
}

/// The last component of a remote path: `/a/b.txt` → `b.txt`.
pub fn file_name(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    trimmed.rsplit('/').next().unwrap_or(trimmed)
}

/// Extracts the quoted path from a `257 "/dir ""quoted"" name" created` reply (RFC 959: quotes
/// inside are doubled). None when the reply has no quoted path.
pub fn parse_quoted_path(text: &str) -> Option<String> {
    let start = text.find('"')?;
    let mut out = String::new();
    let mut chars = text[start + 1..].chars().peekable();
    while let Some(c) = chars.next() {
        if c == '"' {
            if chars.peek() == Some(&'"') {
                chars.next();
                out.push('"');
            } else {
                return Some(out);
            }
        } else {
            out.push(c);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_and_splits() {
        assert_eq!(join("/a", "b"), "/a/b");
        assert_eq!(join("/", "b"), "/b");
        assert_eq!(join("", "b"), "b");
        assert_eq!(parent("/a/b"), "/a");
        assert_eq!(parent("/a/b/"), "/a");
        assert_eq!(parent("/a"), "/");
        assert_eq!(parent("/"), "/");
        assert_eq!(parent("a"), "");
        assert_eq!(file_name("/a/b.txt"), "b.txt");
        assert_eq!(file_name("b.txt"), "b.txt");
        assert_eq!(file_name("/a/dir/"), "dir");
    }

    #[test]
    fn quoted_paths() {
        assert_eq!(
            parse_quoted_path("\"/home/x\" is the current directory").as_deref(),
            Some("/home/x")
        );
        assert_eq!(
            parse_quoted_path("\"/a \"\"b\"\" c\" created").as_deref(),
            Some("/a \"b\" c")
        );
        assert_eq!(parse_quoted_path("no quotes"), None);
        assert_eq!(parse_quoted_path("\"unterminated"), None);
    }
}
