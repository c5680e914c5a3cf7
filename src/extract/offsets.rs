//! Byte offset to code point offset conversion.
//!
//! The core slices text by UTF-8 byte offsets; the public contract speaks in
//! Unicode code points (Python's `text[start:end]`). This is the one place
//! that converts between them.

/// Converts byte offsets of one text into code point offsets in O(1).
pub struct ByteToChar {
    /// `None` for ASCII text, where the two offsets coincide.
    table: Option<Vec<u32>>,
    len: usize,
}

impl ByteToChar {
    pub fn new(text: &str) -> Self {
        let table = (!text.is_ascii()).then(|| {
            let mut table = vec![0u32; text.len() + 1];
            let mut chars = 0u32;
            for (byte, ch) in text.char_indices() {
                // Every byte of a multi-byte char maps to that char's index, so an
                // offset that is not on a boundary still gives a sane answer.
                for slot in &mut table[byte..byte + ch.len_utf8()] {
                    *slot = chars;
                }
                chars += 1;
            }
            table[text.len()] = chars;
            table
        });
        ByteToChar {
            table,
            len: text.len(),
        }
    }

    /// The code point offset of byte offset `byte` (clamped to the text's end).
    pub fn char_offset(&self, byte: usize) -> usize {
        let byte = byte.min(self.len);
        match &self.table {
            None => byte,
            Some(table) => table[byte] as usize,
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
}
