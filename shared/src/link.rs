//! The pass link `{PUBLIC_URL}/somc2/{uuid}` that a pass QR code carries, and the parser that
//! tells a scanned text apart: ours (with the id and the fragment), a broken link of ours, or
//! foreign.
//!
//! # Grammar of a scanned code of ours
//!
//! ```text
//! code      = origin "/somc2/" uuid-v4 [ "#" fragment ]
//! fragment  = part *( "~" part )                 ; may be empty: "…/{id}#"
//! part      = *( ALPHA / DIGIT / "-" / "." / "_" )
//! ```
//!
//! The fragment never reaches the server when a plain phone camera opens the link, so the
//! explanation page stays what it is; the scanner sends the whole decoded text. Each part is
//! told apart by its first character:
//! - a digit: the rotating part of a dynamic pass, `{step}-{code}` (see [`crate::dynamic`]);
//! - a letter: an extension named by that letter; a checker ignores extensions it does not
//!   know. `T` is the signed offline token ([`crate::token`], upper-case base32), which the
//!   issue answer's link already carries (`…/{id}#T…`); a dynamic pass's device puts the
//!   rotating part before it (`…/{id}#12345-01234567~T…`, see [`crate::dynamic::code_link`]).
//!
//! The separators `#` and `~` are outside the QR code's alphanumeric set, which costs a mode
//! switch each; the longest code still fits version 10 at level M (measured by
//! `shared/tests/qr_budget.rs`).
//!
//! A static pass scanned with a fragment is still valid (the fragment is for dynamic codes and
//! offline tokens); a dynamic pass needs its current rotating part. Characters outside `part`
//! (spaces, `#`, `%`, `?`…) make the code [`ScannedCode::Malformed`], as do query strings and
//! anything but a fragment after the id.

use crate::ids::PassId;

/// The path segment that precedes the pass id (the name Gosuslugi uses).
pub const PASS_PATH: &str = "/somc2/";

/// Separates the parts of a fragment (see the module grammar).
pub const FRAGMENT_SEPARATOR: char = '~';

/// The parts of a fragment, in order (see the module grammar).
pub fn fragment_parts(fragment: &str) -> impl Iterator<Item = &str> {
    fragment.split(FRAGMENT_SEPARATOR)
}

/// What a decoded QR text is, as far as this service is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScannedCode<'a> {
    /// A well-formed link of this service (or an alias origin) with a v4 pass id.
    Ours {
        id: PassId,
        /// The raw text after `#`, when there is a `#` (grammar in the module docs).
        fragment: Option<&'a str>,
    },
    /// Starts like a pass link of ours but the rest is not a valid id (forged, mistyped,
    /// `../`, extra segments, query strings): looked up as nothing, answered «not found».
    Malformed,
    /// Anything else: not a code of this service.
    Foreign,
}

/// Why a configured origin was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "'{0}' is not an http(s) origin with an optional path prefix (no query, fragment or user info)"
)]
pub struct BadOrigin(pub String);

/// The origins whose pass links this service recognizes: its own public URL first, then aliases
/// (for example `https://www.gosuslugi.ru`). Built once from configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassLinks {
    /// Normalized: lowercase scheme and host, no trailing slash.
    origins: Vec<String>,
}

impl PassLinks {
    /// `public_url` is where links point to; `aliases` are extra accepted origins.
    pub fn new<S: AsRef<str>>(public_url: &str, aliases: &[S]) -> Result<Self, BadOrigin> {
        let mut origins = vec![normalize_origin(public_url)?];
        for alias in aliases {
            origins.push(normalize_origin(alias.as_ref())?);
        }
        Ok(Self { origins })
    }

    /// The public URL links are built on (normalized, no trailing slash).
    pub fn public_url(&self) -> &str {
        &self.origins[0]
    }

    /// All accepted origins, the public URL first.
    pub fn origins(&self) -> &[String] {
        &self.origins
    }

    /// The link a pass QR code carries.
    pub fn link(&self, id: &PassId) -> String {
        format!("{}{PASS_PATH}{id}", self.public_url())
    }

    /// Classifies a decoded QR text, taken exactly as read. Only surrounding ASCII whitespace
    /// (a trailing newline some scanners append) is ignored; scheme and host compare
    /// case-insensitively, the path case-sensitively; after the id only a `#fragment` may follow.
    pub fn classify<'a>(&self, code: &'a str) -> ScannedCode<'a> {
        let code = code.trim_matches(|c: char| c.is_ascii_whitespace());
        for origin in &self.origins {
            let Some(rest) = strip_prefix_origin(code, origin) else {
                continue;
            };
            let Some(id) = rest.strip_prefix(PASS_PATH) else {
                continue;
            };
            let (id, fragment) = match id.split_once('#') {
                Some((id, fragment)) => (id, Some(fragment)),
                None => (id, None),
            };
            if !fragment.is_none_or(is_fragment) {
                return ScannedCode::Malformed;
            }
            return match PassId::parse(id) {
                Ok(id) => ScannedCode::Ours { id, fragment },
                Err(_) => ScannedCode::Malformed,
            };
        }
        ScannedCode::Foreign
    }
}

/// Whether `s` follows the fragment grammar: parts of ALPHA / DIGIT / `-` `.` `_`, joined by `~`.
fn is_fragment(s: &str) -> bool {
    s.chars().all(|c| {
        c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_') || c == FRAGMENT_SEPARATOR
    })
}

/// Strips `origin` (already normalized) from the front of `code`: scheme and host part compare
/// ASCII case-insensitively, a path prefix of the origin exactly.
fn strip_prefix_origin<'a>(code: &'a str, origin: &str) -> Option<&'a str> {
    let rest = code.get(origin.len()..)?;
    let (head, o) = (&code.as_bytes()[..origin.len()], origin.as_bytes());
    let authority_end = origin
        .find("://")
        .and_then(|i| origin[i + 3..].find('/').map(|j| i + 3 + j))
        .unwrap_or(origin.len());
    let auth_ok = head[..authority_end].eq_ignore_ascii_case(&o[..authority_end]);
    (auth_ok && head[authority_end..] == o[authority_end..]).then_some(rest)
}

fn normalize_origin(url: &str) -> Result<String, BadOrigin> {
    let bad = || BadOrigin(url.to_owned());
    let trimmed = url.trim().trim_end_matches('/');
    let (scheme, rest) = trimmed.split_once("://").ok_or_else(bad)?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return Err(bad());
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let authority_ok = !authority.is_empty()
        && authority
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    let path_ok = path
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_' | '.' | '~'))
        && !path.split('/').any(|seg| seg == ".." || seg == ".");
    if !authority_ok || !path_ok {
        return Err(bad());
    }
    Ok(format!(
        "{scheme}://{}{path}",
        authority.to_ascii_lowercase()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn links() -> PassLinks {
        PassLinks::new("https://pass.example.ru/", &["https://www.gosuslugi.ru"]).unwrap()
    }

    fn id() -> PassId {
        PassId::parse("3f2b8c1e-9d4a-4e6b-8f0a-1c2d3e4f5a6b").unwrap()
    }

    fn ours(id: PassId) -> ScannedCode<'static> {
        ScannedCode::Ours { id, fragment: None }
    }

    #[test]
    fn own_links_round_trip() {
        let l = links();
        let link = l.link(&id());
        assert_eq!(
            link,
            "https://pass.example.ru/somc2/3f2b8c1e-9d4a-4e6b-8f0a-1c2d3e4f5a6b"
        );
        assert_eq!(l.classify(&link), ours(id()));
    }

    #[test]
    fn a_fragment_after_the_id_is_returned_raw() {
        let l = links();
        for fragment in ["1234-12345678", "1234-12345678~t1.abc_-", "t1.abc", ""] {
            let code = format!("{}#{fragment}", l.link(&id()));
            assert_eq!(
                l.classify(&code),
                ScannedCode::Ours {
                    id: id(),
                    fragment: Some(fragment)
                },
                "{code}"
            );
        }
        let parts: Vec<_> = fragment_parts("1-2~t1.x~").collect();
        assert_eq!(parts, ["1-2", "t1.x", ""]);
    }

    #[test]
    fn alias_origin_is_accepted() {
        let code = format!("https://www.gosuslugi.ru/somc2/{}", id());
        assert_eq!(links().classify(&code), ours(id()));
    }

    #[test]
    fn scheme_and_host_case_do_not_matter_but_path_does() {
        let l = links();
        assert_eq!(
            l.classify(&format!("HTTPS://Pass.Example.RU/somc2/{}", id())),
            ours(id())
        );
        assert_eq!(
            l.classify(&format!("https://pass.example.ru/SOMC2/{}", id())),
            ScannedCode::Foreign
        );
    }

    #[test]
    fn a_trailing_newline_is_tolerated() {
        assert_eq!(
            links().classify(&format!("https://pass.example.ru/somc2/{}\r\n", id())),
            ours(id())
        );
    }

    #[test]
    fn look_alikes_are_not_ours() {
        let l = links();
        let id = id();
        for code in [
            format!("https://pass.example.ru.evil.com/somc2/{id}"),
            format!("https://pass.example.ru@evil.com/somc2/{id}"),
            format!("https://evil.com/https://pass.example.ru/somc2/{id}"),
            format!("http://pass.example.ru/somc2/{id}"),
            format!("https://pass.example.ru:8443/somc2/{id}"),
            format!("https://pass.example.ru/somc/{id}"),
            format!("https://pass.example.ru//somc2/{id}"),
            format!("https://www.gosuslugi.ru.evil/somc2/{id}"),
            "hello".to_owned(),
            String::new(),
        ] {
            assert_eq!(l.classify(&code), ScannedCode::Foreign, "{code}");
        }
    }

    #[test]
    fn broken_links_of_ours_are_malformed() {
        let l = links();
        let id = id();
        for code in [
            format!("https://pass.example.ru/somc2/../{id}"),
            format!("https://pass.example.ru/somc2/{id}/extra"),
            format!("https://pass.example.ru/somc2/{id}?x=1"),
            format!("https://pass.example.ru/somc2/{id}#a b"),
            format!("https://pass.example.ru/somc2/{id}#x#y"),
            format!("https://pass.example.ru/somc2/{id}#%41"),
            format!("https://pass.example.ru/somc2/{id}?x=1#123-12345678"),
            format!("https://pass.example.ru/somc2/{id}/#123-12345678"),
            format!(
                "https://pass.example.ru/somc2/{}#123-12345678",
                id.uuid().simple()
            ),
            format!("https://pass.example.ru/somc2/{id}/"),
            format!("https://pass.example.ru/somc2/ {id}"),
            "https://pass.example.ru/somc2/00000000-0000-0000-0000-000000000000".to_owned(),
            "https://pass.example.ru/somc2/6ba7b810-9dad-11d1-80b4-00c04fd430c8".to_owned(),
            format!("https://pass.example.ru/somc2/{}", id.uuid().simple()),
            "https://pass.example.ru/somc2/".to_owned(),
            format!("https://pass.example.ru/somc2/{}", "%2e%2e"),
        ] {
            assert_eq!(l.classify(&code), ScannedCode::Malformed, "{code}");
        }
    }

    #[test]
    fn public_url_with_a_path_prefix_works() {
        let l = PassLinks::new("https://example.ru/statuspass", &[] as &[&str]).unwrap();
        let link = l.link(&id());
        assert_eq!(
            link,
            format!("https://example.ru/statuspass/somc2/{}", id())
        );
        assert_eq!(l.classify(&link), ours(id()));
        assert_eq!(
            l.classify(&format!("https://example.ru/somc2/{}", id())),
            ScannedCode::Foreign
        );
    }

    #[test]
    fn bad_origins_are_refused() {
        for url in [
            "pass.example.ru",
            "ftp://x.ru",
            "https://user@x.ru",
            "https://x.ru/?q",
            "https://x.ru/a/../b",
            "https://",
        ] {
            assert!(PassLinks::new(url, &[] as &[&str]).is_err(), "{url}");
        }
    }

    proptest! {
        #[test]
        fn every_issued_link_is_ours(bytes in any::<[u8; 16]>()) {
            let id = PassId::parse(&uuid::Builder::from_random_bytes(bytes).into_uuid().to_string()).unwrap();
            let link = links().link(&id);
            prop_assert_eq!(links().classify(&link), ours(id));
        }

        #[test]
        fn appending_anything_to_a_link_makes_it_not_ours(suffix in "[^\\s]{1,20}") {
            let code = format!("{}{suffix}", links().link(&id()));
            prop_assert_ne!(links().classify(&code), ours(id()));
        }

        #[test]
        fn text_without_our_prefix_is_foreign(s in "\\PC*") {
            prop_assume!(!s.trim().to_ascii_lowercase().starts_with("https://pass.example.ru/somc2/"));
            prop_assume!(!s.trim().to_ascii_lowercase().starts_with("https://www.gosuslugi.ru/somc2/"));
            prop_assert_eq!(links().classify(&s), ScannedCode::Foreign);
        }

        #[test]
        fn classify_never_panics(s in any::<String>()) {
            let _ = links().classify(&s);
        }
    }
}
