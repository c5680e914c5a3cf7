//! Byte offset to code point offset conversion.
//!
//! The core slices text by UTF-8 byte offsets; the public contract speaks in
//! Unicode code points (Python's `text[start:end]`). This is the one place
//! that converts between them.

/// Converts byte offsets of one text into code point offsets.
///
/// Keeps one entry per multi-byte char (none for ASCII text, where the two
/// offsets coincide), so building it is one pass over the bytes with no
/// per-byte table; a lookup is a binary search over those entries.
pub struct ByteToChar {
    /// Per multi-byte char, in order: its start byte and the extra bytes
    /// (UTF-8 length - 1) of it and of every multi-byte char before it.
    wide: Vec<(u32, u32)>,
    len: usize,
}

impl ByteToChar {
    pub fn new(text: &str) -> Self {
        let mut wide = Vec::new();
        if !text.is_ascii() {
            let mut extra = 0u32;
            for (byte, &b) in text.as_bytes().iter().enumerate() {
                // A lead byte (0b11xx_xxxx) starts a char of 2, 3 or 4 bytes.
                if b >= 0xC0 {
                    extra += match b {
                        0xC0..=0xDF => 1,
                        0xE0..=0xEF => 2,
                        _ => 3,
                    };
                    wide.push((byte as u32, extra));
                }
            }
        }
        ByteToChar {
            wide,
            len: text.len(),
        }
    }

    /// The code point offsets of a byte span, `(start, end)`.
    pub fn span(&self, span: super::ByteSpan) -> (usize, usize) {
        (self.char_offset(span.start), self.char_offset(span.end))
    }

    /// The code point offset of byte offset `byte` (clamped to the text's end).
    /// An offset inside a multi-byte char gives that char's offset.
    pub fn char_offset(&self, byte: usize) -> usize {
        let byte = byte.min(self.len);
        // The last multi-byte char that starts before `byte`.
        let k = self
            .wide
            .partition_point(|&(start, _)| (start as usize) < byte);
        let Some(&(start, extra)) = k.checked_sub(1).map(|k| &self.wide[k]) else {
            return byte;
        };
        let extra_before = k.checked_sub(2).map_or(0, |j| self.wide[j].1);
        let char_end = (start + 1 + extra - extra_before) as usize;
        if byte < char_end {
            start as usize - extra_before as usize
        } else {
            byte - extra as usize
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_is_identity() {
        let map = ByteToChar::new("hello world");
        assert_eq!(map.char_offset(6), 6);
        assert_eq!(map.char_offset(99), 11);
    }

    #[test]
    fn multibyte_text_maps_to_code_points() {
        let text = "“Zoë” said Łukasz 🙂 ok";
        let map = ByteToChar::new(text);
        for (chars, (byte, _)) in text.char_indices().enumerate() {
            assert_eq!(map.char_offset(byte), chars);
        }
        assert_eq!(map.char_offset(text.len()), text.chars().count());
    }

    /// The code point offset by counting: the chars that start before `byte`,
    /// less one when `byte` is inside a char.
    fn counted(text: &str, byte: usize) -> usize {
        let byte = byte.min(text.len());
        let starts = text.char_indices().filter(|&(i, _)| i < byte).count();
        starts - usize::from(!text.is_char_boundary(byte))
    }

    proptest::proptest! {
        #[test]
        fn every_byte_offset_agrees_with_counting(text in "\\PC{0,40}") {
            let map = ByteToChar::new(&text);
            for byte in 0..=text.len() + 2 {
                proptest::prop_assert_eq!(map.char_offset(byte), counted(&text, byte));
            }
        }
    }
}
