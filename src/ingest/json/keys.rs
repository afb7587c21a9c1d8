//! Finding repeated keys in a JSON object cheaply enough to check every record (the README promises
//! a warning for them; the last value wins, as in `JSON.parse`).

/// A 4096-bit set of the keys of one object, by a hash of their length and first and last eight
/// bytes: only a key whose bit is already set (one 60-key record in two has one) is compared with
/// the earlier keys, so checking every record for repeated keys costs a few instructions per key.
pub struct KeyBits([u64; 64]);

impl KeyBits {
    pub fn new() -> Self {
        KeyBits([0; 64])
    }

    /// Set the bit of `k`; true if it was set already (then `k` may repeat an earlier key).
    pub fn insert(&mut self, k: &str) -> bool {
        let b = k.as_bytes();
        let word = |w: Option<&[u8; 8]>| w.map_or(0, |w| u64::from_le_bytes(*w));
        let (first, last) = match (b.first_chunk::<8>(), b.last_chunk::<8>()) {
            (None, _) => (b.iter().fold(0u64, |h, &c| (h << 8) | c as u64), 0),
            (f, l) => (word(f), word(l)),
        };
        let h = (first ^ last.rotate_left(29) ^ b.len() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let bit = h >> 52;
        let (word, m) = ((bit >> 6) as usize, 1u64 << (bit & 63));
        let was = self.0[word] & m != 0;
        self.0[word] |= m;
        was
    }
}

impl Default for KeyBits {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_bit_means_maybe_a_repeat_and_a_clear_one_never() {
        let mut bits = KeyBits::new();
        let keys = ["id", "createdDateTime", "authenticationRequirement", "authenticationRequirementPolicies", "status", "a"];
        for k in keys {
            bits.insert(k);
        }
        for k in keys {
            assert!(bits.insert(k), "{k} was inserted");
        }
    }
}
