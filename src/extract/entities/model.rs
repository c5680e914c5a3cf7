//! The trained weights: `NTAGS` 16-bit weights per feature hash bucket.
//! The file stores only the buckets that have weights (a quarter of them
//! are empty); in memory the table is dense, so scoring a feature is one
//! memory read (an index to the non-empty rows made it two dependent reads,
//! and the tagger is bound by those reads: BENCHMARKS.md).
//!
//! File, gzip-compressed, little-endian:
//!
//! ```text
//! magic "AENER002" | bits u32 | ntags u32 | feature version u32 |
//! gazetteer fingerprint u64 | rows u32 | bucket u32 * rows |
//! weights i16 * (rows * ntags)
//! ```
use std::io::Write;
use std::sync::OnceLock;

use flate2::write::GzEncoder;

use super::features::FEATURE_VERSION;
use super::gazetteer;
use super::tags::NTAGS;

const MAGIC: &[u8; 8] = b"AENER002";
const HEADER: usize = 8 + 4 + 4 + 4 + 8 + 4;
/// The model compiled into the binary (`models/ner.bin.gz`, see
/// models/README.md), inflated by `build.rs`: no inflating at start-up.
const EMBEDDED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/ner.bin"));

#[derive(Clone)]
pub(crate) struct Model {
    bits: u32,
    /// One row of weights per bucket, all buckets (empty ones are zeros):
    /// one memory access per feature.
    rows: Vec<Row>,
    /// The second stage (models/README.md), which tags again with this
    /// one's predictions among its features; `None`: one stage.
    pub second: Option<Box<Model>>,
}

/// The `NTAGS` weights of one bucket, padded to one aligned 64-byte cache
/// line: packed at 34 bytes, half the rows straddled two lines, and a
/// feature's score cost two memory reads instead of one.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Row([i16; ROW_SLOTS]);

const ROW_SLOTS: usize = 32;
const _: () = assert!(NTAGS <= ROW_SLOTS && std::mem::size_of::<Row>() == 64);

impl Row {
    const ZERO: Row = Row([0; ROW_SLOTS]);

    fn weights(&self) -> &[i16] {
        &self.0[..NTAGS]
    }
}

/// The embedded model, loaded on first use; `None` if it does not load (a
/// bad build), in which case no entities are found rather than a crash.
pub(crate) fn embedded() -> Option<&'static Model> {
    static MODEL: OnceLock<Option<Model>> = OnceLock::new();
    MODEL
        .get_or_init(|| Model::from_raw(EMBEDDED).ok())
        .as_ref()
}

/// Why the embedded model does not load.
#[cfg(test)]
pub(crate) fn embedded_error() -> Option<String> {
    Model::from_raw(EMBEDDED).err()
}

impl Model {
    /// A model over `2^bits` buckets from dense weights (`2^bits * NTAGS`
    /// values, bucket-major; missing ones are zeros, extra ones dropped).
    pub(crate) fn new(bits: u32, weights: Vec<i16>) -> Model {
        let mut rows = vec![Row::ZERO; 1 << bits];
        for (row, dense) in rows.iter_mut().zip(weights.chunks(NTAGS)) {
            row.0[..dense.len()].copy_from_slice(dense);
        }
        Model {
            bits,
            rows,
            second: None,
        }
    }

    /// The weight row of a feature hash (already finished by
    /// `features::feature`, so its top bits are well spread).
    #[inline]
    pub(crate) fn bucket(bits: u32, feature: u64) -> usize {
        (feature >> (64 - bits)) as usize
    }

    /// The summed weights of `features`, per tag.
    ///
    /// The weights are 8 MB (bigger than the L2 cache), so the time goes
    /// to memory reads; the table is dense, not an index to non-empty rows,
    /// so each feature costs one read instead of two that wait on each other.
    /// On x86-64 CPUs with AVX2 the same loop is compiled for AVX2 (16-bit
    /// weights widened and added eight at a time).
    #[inline]
    pub(crate) fn scores(&self, features: &[u64]) -> [i32; NTAGS] {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU running this has AVX2, checked just above.
            return unsafe { self.scores_avx2(features) };
        }
        self.scores_portable(features)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn scores_avx2(&self, features: &[u64]) -> [i32; NTAGS] {
        self.scores_portable(features)
    }

    #[inline(always)]
    fn scores_portable(&self, features: &[u64]) -> [i32; NTAGS] {
        let mut scores = [0i32; NTAGS];
        for &f in features {
            if let Some(row) = self.rows.get(Model::bucket(self.bits, f)) {
                for (s, &w) in scores.iter_mut().zip(row.weights()) {
                    *s += i32::from(w);
                }
            }
        }
        scores
    }

    /// The non-empty rows: their buckets, and their weights in that order.
    fn stored_rows(&self) -> (Vec<u32>, Vec<i16>) {
        let mut buckets = Vec::new();
        let mut weights = Vec::new();
        for (bucket, row) in self.rows.iter().enumerate() {
            if row.weights().iter().any(|&w| w != 0) {
                buckets.push(bucket as u32);
                weights.extend_from_slice(row.weights());
            }
        }
        (buckets, weights)
    }

    /// This stage's header and rows, uncompressed.
    fn append_raw(&self, raw: &mut Vec<u8>) {
        let (buckets, rows) = self.stored_rows();
        raw.extend_from_slice(MAGIC);
        raw.extend_from_slice(&self.bits.to_le_bytes());
        raw.extend_from_slice(&(NTAGS as u32).to_le_bytes());
        raw.extend_from_slice(&FEATURE_VERSION.to_le_bytes());
        raw.extend_from_slice(&gazetteer::fingerprint().to_le_bytes());
        raw.extend_from_slice(&(buckets.len() as u32).to_le_bytes());
        for b in &buckets {
            raw.extend_from_slice(&b.to_le_bytes());
        }
        for w in &rows {
            raw.extend_from_slice(&w.to_le_bytes());
        }
    }

    /// The first stage, then the second one if any, in one gzip stream.
    pub(crate) fn to_gzip(&self) -> std::io::Result<Vec<u8>> {
        let mut raw = Vec::new();
        self.append_raw(&mut raw);
        if let Some(second) = &self.second {
            second.append_raw(&mut raw);
        }
        let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&raw)?;
        gz.finish()
    }

    /// A model as `to_gzip` writes it (the committed file's format).
    #[cfg(test)]
    pub(crate) fn from_gzip(bytes: &[u8]) -> Result<Model, String> {
        let raw = super::gunzip::gunzip(bytes).map_err(|e| format!("model is not gzip: {e}"))?;
        Model::from_raw(&raw)
    }

    /// The first stage, then the second one if any, from inflated bytes.
    fn from_raw(raw: &[u8]) -> Result<Model, String> {
        let (mut model, used) = Model::parse_stage(raw)?;
        if used < raw.len() {
            let (second, more) = Model::parse_stage(&raw[used..])?;
            if used + more != raw.len() {
                return Err("model has bytes after its second stage".into());
            }
            model.second = Some(Box::new(second));
        }
        Ok(model)
    }

    /// One stage from the start of `raw`, and the bytes it took.
    fn parse_stage(raw: &[u8]) -> Result<(Model, usize), String> {
        if raw.len() < HEADER || &raw[..8] != MAGIC {
            return Err("model file has no AENER002 header".into());
        }
        let u32_at =
            |at: usize| u32::from_le_bytes([raw[at], raw[at + 1], raw[at + 2], raw[at + 3]]);
        let (bits, ntags, version) = (u32_at(8), u32_at(12), u32_at(16));
        let fingerprint = u64::from(u32_at(20)) | u64::from(u32_at(24)) << 32;
        if ntags as usize != NTAGS || version != FEATURE_VERSION || !(8..=26).contains(&bits) {
            return Err(format!(
                "model has {ntags} tags, features v{version}, {bits} bits; expected {NTAGS} tags, v{FEATURE_VERSION}"
            ));
        }
        if fingerprint != gazetteer::fingerprint() {
            return Err("model was trained with other gazetteers".into());
        }
        let nrows = u32_at(28) as usize;
        let size = nrows * (4 + 2 * NTAGS);
        let Some(body) = raw.get(HEADER..HEADER + size) else {
            return Err(format!(
                "model body has {} bytes, expected {size}",
                raw.len() - HEADER
            ));
        };
        let (buckets, weights) = body.split_at(4 * nrows);
        let mut rows = vec![Row::ZERO; 1 << bits];
        for (bucket, weights) in buckets.chunks_exact(4).zip(weights.chunks_exact(2 * NTAGS)) {
            let bucket = u32::from_le_bytes([bucket[0], bucket[1], bucket[2], bucket[3]]);
            let Some(row) = rows.get_mut(bucket as usize) else {
                return Err("model has a bucket out of range".into());
            };
            for (w, b) in row.0.iter_mut().zip(weights.chunks_exact(2)) {
                *w = i16::from_le_bytes([b[0], b[1]]);
            }
        }
        let model = Model {
            bits,
            rows,
            second: None,
        };
        Ok((model, HEADER + size))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::entities::hash::finish;

    #[test]
    fn embedded_model_loads() {
        assert_eq!(embedded_error(), None);
        assert!(embedded().is_some());
    }

    /// What `build.rs` embeds is the committed model, inflated.
    #[test]
    fn embedded_bytes_are_the_committed_model() {
        let gz = include_bytes!("../../../models/ner.bin.gz");
        assert!(
            super::super::gunzip::gunzip(gz).unwrap() == EMBEDDED,
            "build.rs embedded another model"
        );
    }

    #[test]
    fn stores_only_non_empty_rows_and_round_trips() {
        // Every third row is empty and is not stored.
        let weights: Vec<i16> = (0..(NTAGS << 8))
            .map(|i| {
                if i / NTAGS % 3 == 0 {
                    0
                } else {
                    (i as i16).wrapping_mul(7)
                }
            })
            .collect();
        let model = Model::new(8, weights.clone());
        let stored_rows = weights
            .chunks(NTAGS)
            .filter(|r| r.iter().any(|&w| w != 0))
            .count();
        assert_eq!(model.stored_rows().0.len(), stored_rows);
        let features: Vec<u64> = (0..50).map(finish).collect();
        let dense = features.iter().fold([0i32; NTAGS], |mut acc, &f| {
            let b = Model::bucket(8, f) * NTAGS;
            for (a, w) in acc.iter_mut().zip(&weights[b..b + NTAGS]) {
                *a += i32::from(*w);
            }
            acc
        });
        assert_eq!(model.scores(&features), dense);
        let loaded = Model::from_gzip(&model.to_gzip().unwrap()).unwrap();
        assert_eq!(loaded.stored_rows(), model.stored_rows());
        assert!(loaded.second.is_none());
    }

    #[test]
    fn round_trips_a_second_stage() {
        let mut model = Model::new(8, vec![3; NTAGS << 8]);
        model.second = Some(Box::new(Model::new(9, vec![-2; NTAGS << 9])));
        let loaded = Model::from_gzip(&model.to_gzip().unwrap()).unwrap();
        assert_eq!(loaded.stored_rows(), model.stored_rows());
        let second = loaded.second.expect("a second stage");
        assert_eq!((second.bits, second.rows[0].weights()[0]), (9, -2));
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        assert!(Model::from_gzip(b"").is_err());
        assert!(Model::from_gzip(b"not a model").is_err());
        let model = Model::new(8, vec![1; NTAGS << 8]).to_gzip().unwrap();
        assert!(Model::from_gzip(&model[..model.len() / 2]).is_err());
    }
}
