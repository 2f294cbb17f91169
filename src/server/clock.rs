//! The one clock the server reads, and the shift tests replay signed vectors with.

/// Seconds added to the system clock: zero, unless a test replays links signed at a fixed
/// time (PHP-made vectors). Deliberately no setting or variable: a shifted clock in
/// production would accept old links.
static CLOCK_SHIFT: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

/// Makes [`now`] answer `at` (for tests that replay signed vectors), for this process.
#[doc(hidden)]
pub fn set_clock_for_tests(at: i64) {
    let system = now() - CLOCK_SHIFT.load(std::sync::atomic::Ordering::Relaxed);
    CLOCK_SHIFT.store(at - system, std::sync::atomic::Ordering::Relaxed);
}

/// Unix seconds now: the one clock the server reads. Everything below takes `now` as a
/// parameter, so tests can pass any time.
pub fn now() -> i64 {
    let system =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    system + CLOCK_SHIFT.load(std::sync::atomic::Ordering::Relaxed)
}
