//! Gzip reading for the committed tables: `build.rs` (which compiles this
//! file by `#[path]`, so it uses nothing of the crate) inflates the model
//! and the word table with it at build time; at run time only the small
//! coarse-class table (`row_classes.txt.gz`) is inflated, at first use; the
//! tests check what `build.rs` embedded against the committed files.
//! The buffer is sized from the stream's trailer, which states the
//! inflated size: grown by doubling instead, inflating the 7 MB model
//! copied it about twice over.
use std::io::Read;

use flate2::read::GzDecoder;

/// Never reserve more than this up front, whatever a damaged trailer says.
const MAX_RESERVE: usize = 64 << 20;

/// The inflated bytes of `gz`.
pub(crate) fn gunzip(gz: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(stated_size(gz).min(MAX_RESERVE));
    GzDecoder::new(gz).read_to_end(&mut out)?;
    Ok(out)
}

/// The inflated text of `gz`, or `None` if it is not gzip or not UTF-8:
/// the word tables are text, and a damaged one is only a missing one.
pub(crate) fn gunzip_text(gz: &[u8]) -> Option<String> {
    gunzip(gz).ok().and_then(|raw| String::from_utf8(raw).ok())
}

/// ISIZE, the last four bytes: the inflated size modulo 2^32 (RFC 1952).
fn stated_size(gz: &[u8]) -> usize {
    match gz.len().checked_sub(4).and_then(|at| gz.get(at..)) {
        Some(&[a, b, c, d]) => u32::from_le_bytes([a, b, c, d]) as usize,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn inflates_and_survives_a_lying_trailer() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&[7u8; 10_000]).unwrap();
        let mut bytes = gz.finish().unwrap();
        assert_eq!(stated_size(&bytes), 10_000);
        assert_eq!(gunzip(&bytes).unwrap(), vec![7u8; 10_000]);
        let n = bytes.len();
        bytes[n - 4..].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(gunzip(&bytes).is_err(), "the trailer's size is checked");
        assert!(gunzip(b"xy").is_err());
        assert_eq!(stated_size(b"xy"), 0);
        assert_eq!(gunzip_text(b"xy"), None);
    }
}
