//! Deterministic randomness for synthetic clips: a stateless hash (any pixel of any frame, in
//! any order) and a SplitMix64 stream for scatterers and noise. Not for cryptography.

/// SplitMix64's finaliser: a well-mixed 64-bit value from any input.
fn mix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    h ^= h >> 33;
    h = h.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    h ^ (h >> 33)
}

fn unit(h: u64) -> f64 {
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// A stable pseudo-random value in 0..1 for a pixel (hash, so any frame is cheap).
pub(super) fn noise(seed: u64, x: u32, y: u32, salt: u64) -> f64 {
    let h = seed ^ (u64::from(x) << 32 | u64::from(y)) ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    unit(mix(h))
}

/// A DICOM UID under the 2.25 root, stable for a seed, a clip size and a kind (1 SOP
/// instance, 2 study, 3 series).
pub(super) fn uid(seed: u64, (width, height, frames): (u32, u32, u32), kind: u64) -> String {
    let a = noise(seed, width, height, kind) * 1e15;
    let b = noise(seed, frames, kind as u32, 7) * 1e15;
    format!("2.25.{}{:015}", a as u64 + 1, b as u64)
}

/// A seeded stream of pseudo-random numbers.
#[derive(Debug, Clone)]
pub(super) struct SplitMix(u64);

impl SplitMix {
    /// The stream for `seed` and a purpose (`salt`), independent of other purposes.
    pub fn new(seed: u64, salt: u64) -> Self {
        SplitMix(mix(seed ^ salt.wrapping_mul(0xD1B5_4A32_D192_ED03)))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in 0..1.
    pub fn unit(&mut self) -> f64 {
        unit(self.next_u64())
    }

    /// Uniform in `lo..hi`.
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Zero mean, unit variance, cheap: uniform in ±√3 (sums of many of them are Gaussian).
    pub fn centred(&mut self) -> f32 {
        ((self.unit() * 2.0 - 1.0) * 3f64.sqrt()) as f32
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u = self.unit().max(1e-300);
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * self.unit()).cos()
    }
}
