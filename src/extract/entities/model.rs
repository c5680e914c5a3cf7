//! The trained weights: one row of `NTAGS` 16-bit weights per feature hash
//! bucket, in one flat array. The file is gzip-compressed:
//!
//! ```text
//! magic "AENER001" | bits u32 | ntags u32 | feature version u32 |
//! gazetteer fingerprint u64 | weights i16 * (2^bits * ntags), little-endian
//! ```
use std::io::{Read, Write};
use std::sync::OnceLock;

use flate2::read::GzDecoder;
use flate2::write::GzEncoder;

use super::features::FEATURE_VERSION;
use super::gazetteer;
use super::hash::finish;
use super::tags::NTAGS;

const MAGIC: &[u8; 8] = b"AENER001";
const HEADER: usize = 8 + 4 + 4 + 4 + 8;
/// The model compiled into the binary (see models/README.md).
const EMBEDDED: &[u8] = include_bytes!("../../../models/ner.bin.gz");

pub(crate) struct Model {
    bits: u32,
    weights: Vec<i16>,
}

/// The embedded model, loaded on first use; `None` if it does not load (a
/// bad build), in which case no entities are found rather than a crash.
pub(crate) fn embedded() -> Option<&'static Model> {
    static MODEL: OnceLock<Option<Model>> = OnceLock::new();
    MODEL.get_or_init(|| Model::from_gzip(EMBEDDED).ok()).as_ref()
}

/// Why the embedded model does not load.
#[cfg(test)]
pub(crate) fn embedded_error() -> Option<String> {
    Model::from_gzip(EMBEDDED).err()
}

impl Model {
    /// A model over `2^bits` buckets; `weights` holds `2^bits * NTAGS` values.
    pub(crate) fn new(bits: u32, weights: Vec<i16>) -> Model {
        debug_assert_eq!(weights.len(), NTAGS << bits);
        Model { bits, weights }
    }

    /// The weight row of a feature hash.
    #[inline]
    pub(crate) fn bucket(bits: u32, feature: u64) -> usize {
        (finish(feature) >> (64 - bits)) as usize
    }

    /// The summed weights of `features`, per tag.
    #[inline]
    pub(crate) fn scores(&self, features: &[u64]) -> [i32; NTAGS] {
        let mut scores = [0i32; NTAGS];
        for &f in features {
            let start = Model::bucket(self.bits, f) * NTAGS;
            if let Some(row) = self.weights.get(start..start + NTAGS) {
                for (s, &w) in scores.iter_mut().zip(row) {
                    *s += i32::from(w);
                }
            }
        }
        scores
    }

    pub(crate) fn to_gzip(&self) -> std::io::Result<Vec<u8>> {
        let mut raw = Vec::with_capacity(HEADER + 2 * self.weights.len());
        raw.extend_from_slice(MAGIC);
        raw.extend_from_slice(&self.bits.to_le_bytes());
        raw.extend_from_slice(&(NTAGS as u32).to_le_bytes());
        raw.extend_from_slice(&FEATURE_VERSION.to_le_bytes());
        raw.extend_from_slice(&gazetteer::fingerprint().to_le_bytes());
        for w in &self.weights {
            raw.extend_from_slice(&w.to_le_bytes());
        }
        let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&raw)?;
        gz.finish()
    }

    pub(crate) fn from_gzip(bytes: &[u8]) -> Result<Model, String> {
        let mut raw = Vec::new();
        GzDecoder::new(bytes).read_to_end(&mut raw).map_err(|e| format!("model is not gzip: {e}"))?;
        if raw.len() < HEADER || &raw[..8] != MAGIC {
            return Err("model file has no AENER001 header".into());
        }
        let u32_at = |at: usize| u32::from_le_bytes([raw[at], raw[at + 1], raw[at + 2], raw[at + 3]]);
        let (bits, ntags, version) = (u32_at(8), u32_at(12), u32_at(16));
        let fingerprint = u64::from(u32_at(20)) | u64::from(u32_at(24)) << 32;
        if ntags as usize != NTAGS || version != FEATURE_VERSION || !(8..=26).contains(&bits) {
            return Err(format!("model has {ntags} tags, features v{version}, {bits} bits; expected {NTAGS} tags, v{FEATURE_VERSION}"));
        }
        if fingerprint != gazetteer::fingerprint() {
            return Err("model was trained with another gazetteer".into());
        }
        let body = &raw[HEADER..];
        if body.len() != 2 * (NTAGS << bits) {
            return Err(format!("model weights have {} bytes, expected {}", body.len(), 2 * (NTAGS << bits)));
        }
        let weights = body.chunks_exact(2).map(|b| i16::from_le_bytes([b[0], b[1]])).collect();
        Ok(Model { bits, weights })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_model_loads() {
        assert_eq!(embedded_error(), None);
        assert!(embedded().is_some());
    }

    #[test]
    fn round_trips_through_gzip() {
        let weights: Vec<i16> = (0..(NTAGS << 8)).map(|i| (i as i16).wrapping_mul(7)).collect();
        let model = Model::new(8, weights.clone());
        let loaded = Model::from_gzip(&model.to_gzip().unwrap()).unwrap();
        assert_eq!(loaded.weights, weights);
        assert_eq!(loaded.scores(&[42, 42]), model.scores(&[42, 42]));
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        assert!(Model::from_gzip(b"").is_err());
        assert!(Model::from_gzip(b"not a model").is_err());
    }
}
