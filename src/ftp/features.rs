//! FEAT (RFC 2389): what the server says it supports, so Ferry picks MLSD, EPSV, UTF8 and REST
//! only where they exist.

use std::collections::BTreeMap;

use super::reply::Reply;

/// The server's advertised extensions, keyed by upper-case name with their parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Features {
    map: BTreeMap<String, String>,
    /// False when the server refused FEAT itself (then Ferry probes instead of trusting absence).
    pub answered: bool,
}

impl Features {
    /// Parses a `211-` FEAT reply; each inner line is ` NAME params`.
    pub fn from_reply(reply: &Reply) -> Features {
        let mut map = BTreeMap::new();
        if reply.code == 211 && reply.lines.len() >= 2 {
            for line in &reply.lines[1..reply.lines.len() - 1] {
                let line = line.trim();
                if line.is_empty() {
                    continue;
                }
                let (name, params) = line.split_once(' ').unwrap_or((line, ""));
                map.insert(name.to_ascii_uppercase(), params.trim().to_owned());
            }
        }
        Features {
            map,
            answered: reply.code == 211,
        }
    }

    /// Whether the server advertised this extension (case-insensitive).
    pub fn has(&self, name: &str) -> bool {
        self.map.contains_key(&name.to_ascii_uppercase())
    }

    /// The parameters of an extension (`MLST` → `type*;size*;modify*;`).
    pub fn params(&self, name: &str) -> Option<&str> {
        self.map.get(&name.to_ascii_uppercase()).map(String::as_str)
    }

    /// All advertised extensions.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.map.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_vsftpd_style_feat() {
        let reply = Reply {
            code: 211,
            lines: vec![
                "Features:".into(),
                " AUTH TLS".into(),
                " EPSV".into(),
                " MLST type*;size*;modify*;".into(),
                " utf8".into(),
                "".into(),
                "End".into(),
            ],
        };
        let f = Features::from_reply(&reply);
        assert!(f.answered);
        assert!(f.has("epsv") && f.has("UTF8") && f.has("MLST"));
        assert_eq!(f.params("AUTH"), Some("TLS"));
        assert_eq!(f.params("MLST"), Some("type*;size*;modify*;"));
        assert!(!f.has("MDTM"));
    }

    #[test]
    fn refused_feat_is_empty() {
        let f = Features::from_reply(&Reply {
            code: 502,
            lines: vec!["no".into()],
        });
        assert!(!f.answered);
        assert_eq!(f.iter().count(), 0);
    }
}
