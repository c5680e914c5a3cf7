//! Small, fixed, platform-independent hashing for feature hashing: the model
//! file stores weights by hash bucket, so these functions must never change
//! without retraining the model. `build.rs` compiles this file too (by
//! `#[path]`, to key the word-class table), so it uses nothing of the crate.

const K: u64 = 0x517c_c1b7_2722_0a95;

/// Folds `value` into the running hash `h` (FxHash step).
#[inline]
pub(crate) fn mix(h: u64, value: u64) -> u64 {
    (h.rotate_left(5) ^ value).wrapping_mul(K)
}

/// MurmurHash3's 64-bit finalizer: spreads all input bits over the output,
/// so that the top bits make a good bucket index.
#[inline]
pub(crate) fn finish(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// Hash of a string's chars (exactly as [`mix`] would fold them one by one).
pub(crate) fn hash_str(s: &str) -> u64 {
    s.chars().fold(0, |h, c| mix(h, c as u64))
}

/// A `BuildHasher` for maps keyed by values that are hashes already.
#[derive(Default, Clone, Copy)]
pub(crate) struct PreHashed;

#[derive(Default)]
pub(crate) struct PreHashedHasher(u64);

impl std::hash::BuildHasher for PreHashed {
    type Hasher = PreHashedHasher;
    fn build_hasher(&self) -> PreHashedHasher {
        PreHashedHasher(0)
    }
}

impl std::hash::Hasher for PreHashedHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = mix(self.0, b as u64);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}
