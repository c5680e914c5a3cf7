//! Lone UTF-16 surrogate escapes (`"\ud800"`), repaired before parsing.
//!
//! JSON strings may spell a character outside the BMP as a pair of escapes,
//! `\ud83d\ude00`. Producers that cut JavaScript strings by UTF-16 index (a
//! title truncated to 80 "characters", an emoji split in two) send half a pair.
//! RFC 8259 leaves such strings' meaning open; browsers' `JSON.parse` and
//! Python's `json` accept them, so the producer saw nothing wrong, but a Rust
//! `str` cannot hold a surrogate and serde_json rejects the whole payload.
//! Losing the article for one broken character is not what users expect: each
//! lone surrogate becomes U+FFFD (what `TextDecoder` and Python's
//! `errors="replace"` produce), and the record's `warnings` say so.

/// The payload with every lone surrogate escape replaced by `\ufffd`, and how
/// many were replaced; `None` (and no copy) when there is none.
///
/// Works on the JSON text: a backslash can only appear inside a string (or the
/// payload is not JSON, which the parser then reports), and replacing one
/// six-byte escape by another keeps every other byte where it was.
pub fn repair(json: &str) -> Option<(String, usize)> {
    let bytes = json.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut replaced = 0;
    let mut i = 0;
    while let Some(found) = bytes
        .get(i..)
        .and_then(|rest| rest.iter().position(|&b| b == b'\\'))
    {
        let at = i + found;
        let Some(unit) = hex_escape(bytes, at) else {
            // Another escape (`\"`, `\\`, `\n`, ...): its second byte is not
            // the start of an escape, whatever it is.
            i = at + 2;
            continue;
        };
        let paired = is_high(unit) && hex_escape(bytes, at + 6).is_some_and(is_low);
        if paired {
            i = at + 12;
        } else if is_high(unit) || is_low(unit) {
            let buf = out.get_or_insert_with(|| String::with_capacity(json.len()));
            buf.push_str(&json[copied..at]);
            buf.push_str("\\ufffd");
            copied = at + 6;
            replaced += 1;
            i = at + 6;
        } else {
            i = at + 6;
        }
    }
    let mut buf = out?;
    buf.push_str(&json[copied..]);
    Some((buf, replaced))
}

/// The code unit of a well-formed `\uXXXX` escape starting at `at`.
fn hex_escape(bytes: &[u8], at: usize) -> Option<u16> {
    let escape = bytes.get(at..at + 6)?;
    if escape[0] != b'\\' || escape[1] != b'u' {
        return None;
    }
    // ASCII hex digits only: `str` parsing would also accept a leading `+`.
    let digits = &escape[2..];
    if !digits.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    u16::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
}

fn is_high(unit: u16) -> bool {
    (0xD800..=0xDBFF).contains(&unit)
}

fn is_low(unit: u16) -> bool {
    (0xDC00..=0xDFFF).contains(&unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(json: &str) -> Option<(String, usize)> {
        repair(json)
    }

    #[test]
    fn leaves_valid_strings_alone() {
        for json in [
            r#"{"text":"plain"}"#,
            r#"{"text":"\ud83d\ude00 and \u00e9 and \\ud800 and \"\n"}"#,
            r#"{"text":"\uD83D\uDE00"}"#,
            r#"{"text":"ends with a backslash escape \\"}"#,
            r#"{"text":"\u12"#,
            "\\",
        ] {
            assert_eq!(fixed(json), None, "{json}");
        }
    }

    #[test]
    fn replaces_each_lone_surrogate() {
        let cases = [
            (r#"{"text":"\ud800"}"#, r#"{"text":"\ufffd"}"#, 1),
            (r#"{"text":"\uDC00x"}"#, r#"{"text":"\ufffdx"}"#, 1),
            // Two leading halves: the first is lone, the second pairs.
            (r#"["\ud800\ud83d\ude00"]"#, r#"["\ufffd\ud83d\ude00"]"#, 1),
            // Pair in the wrong order: both lone.
            (r#"["\ude00\ud83d"]"#, r#"["\ufffd\ufffd"]"#, 2),
            // A leading half before another escape or at the very end.
            (r#"["\ud800\n"]"#, r#"["\ufffd\n"]"#, 1),
            (r#"\ud800"#, r#"\ufffd"#, 1),
            // An escaped backslash then `u`: not an escape at all.
            (r#"["\\\ud800"]"#, r#"["\\\ufffd"]"#, 1),
        ];
        for (json, want, n) in cases {
            assert_eq!(fixed(json), Some((want.to_owned(), n)), "{json}");
        }
    }

    #[test]
    fn repaired_json_parses_to_the_replacement_character() {
        let (json, n) = fixed(r#"{"text":"caf\u00e9 \ud83d! \udc00"}"#).unwrap();
        assert_eq!(n, 2);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["text"], "café \u{fffd}! \u{fffd}");
    }
}
