//! What the tagger knows about one token by itself, computed once per token
//! in a single pass over its chars, with no allocation: hashes of its
//! lowercased form, exact form, shape and affixes, and a few flags.
use super::hash::mix;

pub(crate) const INIT_CAP: u16 = 1;
pub(crate) const ALL_CAPS: u16 = 1 << 1;
pub(crate) const ALL_LOWER: u16 = 1 << 2;
pub(crate) const HAS_DIGIT: u16 = 1 << 3;
pub(crate) const ALL_DIGIT: u16 = 1 << 4;
pub(crate) const HAS_HYPHEN: u16 = 1 << 5;
pub(crate) const HAS_PERIOD: u16 = 1 << 6;
/// No letter and no digit: punctuation or symbols.
pub(crate) const PUNCT: u16 = 1 << 7;
pub(crate) const HAS_APOSTROPHE: u16 = 1 << 8;

/// Affixes of up to this many chars get features. (`Lexeme::new` and
/// `text_features` spell out four.)
pub(crate) const AFFIXES: usize = 4;

#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Lexeme {
    /// Lowercased, digits mapped to '0' ("1996" and "2001" look alike).
    pub lower: u64,
    pub form: u64,
    /// Char classes with runs collapsed: "Lavrov" -> "Xx", "U.S." -> "X.X.".
    pub shape: u64,
    /// Lowercased prefixes and suffixes of 1..=AFFIXES chars.
    pub prefix: [u64; AFFIXES],
    pub suffix: [u64; AFFIXES],
    pub flags: u16,
    /// Length in chars, capped at 255.
    pub chars: u8,
    /// Word class (`word_rows::class_of`), set by `Segment::new`; 0 if unknown.
    pub class: u32,
}

impl Lexeme {
    pub(crate) fn new(word: &str) -> Lexeme {
        let mut lex = Lexeme::default();
        let (mut upper, mut lower, mut digits, mut letters) = (0usize, 0usize, 0usize, 0usize);
        let mut last_class = '\0';
        let mut recent = ['\0'; AFFIXES];
        for (n, c) in word.chars().enumerate() {
            let c = ascii_punctuation(c);
            lex.form = mix(lex.form, c as u64);
            let class = match c {
                _ if c.is_ascii_digit() => {
                    digits += 1;
                    'd'
                }
                _ if c.is_uppercase() => {
                    upper += 1;
                    'X'
                }
                _ if c.is_alphabetic() => {
                    lower += 1;
                    'x'
                }
                '-' => {
                    lex.flags |= HAS_HYPHEN;
                    c
                }
                '.' => {
                    lex.flags |= HAS_PERIOD;
                    c
                }
                '\'' => {
                    lex.flags |= HAS_APOSTROPHE;
                    c
                }
                _ => c,
            };
            letters += usize::from(c.is_alphabetic());
            if n == 0 && c.is_uppercase() {
                lex.flags |= INIT_CAP;
            }
            let normalized = lower_key(c);
            lex.lower = mix(lex.lower, normalized as u64);
            if n < AFFIXES {
                lex.prefix[n] = lex.lower;
            }
            // Shift by hand: `rotate_left` is a call into a general routine.
            recent = [recent[1], recent[2], recent[3], normalized];
            if class != last_class {
                lex.shape = mix(lex.shape, class as u64);
                last_class = class;
            }
            lex.chars = lex.chars.saturating_add(1);
        }
        let len = lex.chars as usize;
        for k in 0..AFFIXES {
            if k >= len {
                lex.prefix[k] = lex.lower;
            }
            // suffix[k] covers the last k+1 chars (the whole word if shorter).
            let from = AFFIXES - (k + 1).min(len);
            lex.suffix[k] = recent[from..].iter().fold(0, |h, &c| mix(h, c as u64));
        }
        if letters > 0 && upper == letters {
            lex.flags |= ALL_CAPS;
        }
        if letters > 0 && lower == letters {
            lex.flags |= ALL_LOWER;
        }
        if digits > 0 {
            lex.flags |= HAS_DIGIT;
        }
        if digits > 0 && digits == len {
            lex.flags |= ALL_DIGIT;
        }
        if letters == 0 && digits == 0 {
            lex.flags |= PUNCT;
        }
        lex
    }

    pub(crate) fn has(&self, flag: u16) -> bool {
        self.flags & flag != 0
    }
}

/// [`Lexeme::form`] and [`Lexeme::lower`] of `word` without the rest of
/// the lexeme: for callers that only look a word up (`word_rows::class_of_word`).
pub(crate) fn form_and_lower(word: &str) -> (u64, u64) {
    word.chars().fold((0, 0), |(form, lower), c| {
        let c = ascii_punctuation(c);
        (mix(form, c as u64), mix(lower, lower_key(c) as u64))
    })
}

/// A char as [`Lexeme::lower`] hashes it: lowercased, digits as `0`.
#[inline]
fn lower_key(c: char) -> char {
    if c.is_ascii_digit() {
        '0'
    } else {
        lowercase(c)
    }
}

/// Typographic quotes and dashes as their ASCII forms, which is how the
/// training data (CoNLL-2003) writes them.
#[inline]
fn ascii_punctuation(c: char) -> char {
    match c {
        '“' | '”' | '„' | '«' | '»' => '"',
        '‘' | '’' | '‚' => '\'',
        '–' | '—' | '‐' => '-',
        _ => c,
    }
}

/// One-char lowercase (multi-char lowercase forms keep their first char).
#[inline]
fn lowercase(c: char) -> char {
    if c.is_ascii() {
        c.to_ascii_lowercase()
    } else {
        c.to_lowercase().next().unwrap_or(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_and_lower_hash_as_the_lexeme_does() {
        for w in [
            "Lavrov",
            "said",
            "DON’T",
            "Tejo-Engenharia",
            "1996",
            "Ärzte",
            "",
            "“",
        ] {
            let lex = Lexeme::new(w);
            assert_eq!(form_and_lower(w), (lex.form, lex.lower), "{w}");
        }
    }

    #[test]
    fn case_and_digits_are_normalised() {
        assert_eq!(Lexeme::new("MOSCOW").lower, Lexeme::new("Moscow").lower);
        assert_eq!(Lexeme::new("1996").lower, Lexeme::new("2001").lower);
        assert_ne!(Lexeme::new("Moscow").form, Lexeme::new("MOSCOW").form);
        assert_eq!(Lexeme::new("Łódź").lower, Lexeme::new("ŁÓDŹ").lower);
    }

    #[test]
    fn shape_and_flags() {
        assert_eq!(Lexeme::new("Lavrov").shape, Lexeme::new("Obama").shape);
        assert_ne!(Lexeme::new("Lavrov").shape, Lexeme::new("NATO").shape);
        let nato = Lexeme::new("NATO");
        assert!(nato.has(ALL_CAPS) && nato.has(INIT_CAP) && !nato.has(ALL_LOWER));
        assert!(Lexeme::new("1996-08-22").has(HAS_HYPHEN));
        assert!(Lexeme::new(",").has(PUNCT));
    }

    #[test]
    fn affixes_match_shorter_words() {
        let long = Lexeme::new("Lavrov");
        let short = Lexeme::new("rov");
        assert_eq!(long.suffix[2], short.suffix[2]);
        assert_eq!(Lexeme::new("Lav").prefix[2], long.prefix[2]);
        assert_eq!(short.suffix[3], short.suffix[2]);
    }
}
