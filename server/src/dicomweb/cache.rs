//! In-memory caches bounded by bytes (quick_cache decides what goes when one is full): rendered
//! images and frame layouts, keyed by what they were made from (blob hashes), so an entry
//! never goes stale and two servers' caches never disagree.
use axum::body::Bytes;
use quick_cache::Weighter;
use quick_cache::sync::Cache;
use std::hash::Hash;

/// What a cached value costs in memory, in bytes.
pub(super) trait Weighed {
    fn weight(&self) -> usize;
}

impl Weighed for Bytes {
    fn weight(&self) -> usize {
        self.len()
    }
}

/// Weighs an entry by its value (never 0: a weightless entry would never be evicted).
#[derive(Clone)]
pub(super) struct ByWeight;

impl<K, V: Weighed> Weighter<K, V> for ByWeight {
    fn weight(&self, _key: &K, value: &V) -> u64 {
        value.weight().max(1) as u64
    }
}

/// Values up to a number of bytes in all.
pub(super) type Bounded<K, V> = Cache<K, V, ByWeight>;

/// A cache of up to `bytes`, sized for entries of about `typical` bytes each.
pub(super) fn bounded<K: Eq + Hash + Clone, V: Weighed + Clone>(
    bytes: usize,
    typical: usize,
) -> Bounded<K, V> {
    Cache::with_weighter((bytes / typical.max(1)).max(1), bytes as u64, ByWeight)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_holds_and_what_is_too_heavy_is_not_kept() {
        let cache: Bounded<u32, Bytes> = bounded(1000, 100);
        for n in 0..50 {
            cache.insert(n, Bytes::from(vec![0u8; 100]));
        }
        assert!(cache.weight() <= 1000, "{}", cache.weight());
        assert!(cache.len() <= 10);
        cache.insert(99, Bytes::from(vec![0u8; 1001]));
        assert_eq!(cache.get(&99), None, "heavier than the whole cache");
    }
}
