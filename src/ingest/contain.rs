//! Panics of third-party decoders (parquet, simd-json, flate2...) contained at the file boundary.
//!
//! A panic while one input is read must not end the run: it is caught here and reported as damage on
//! that input ("the parquet decoder panicked: ..."), and the other inputs are read as usual. While
//! any input is being read inside [`contain`], the panic hook prints nothing (the message is reported
//! with the input instead, and stderr stays clean for scripts); outside, the previous hook runs as
//! before, so a bug elsewhere still panics loudly. Containment needs `panic = "unwind"` (the
//! default; `Cargo.toml` must not set `abort`).

use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Readers currently inside [`contain`] (on any thread).
static ACTIVE: AtomicUsize = AtomicUsize::new(0);
static HOOK: Once = Once::new();

/// Run `f`; a panic inside it becomes `Err(message)`.
pub fn contain<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if ACTIVE.load(Ordering::SeqCst) == 0 {
                previous(info);
            }
        }));
    });
    ACTIVE.fetch_add(1, Ordering::SeqCst);
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    ACTIVE.fetch_sub(1, Ordering::SeqCst);
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".into())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_a_message() {
        assert_eq!(contain(|| 1 + 1), Ok(2));
        let v: Vec<u8> = Vec::new();
        let i = v.len() + 3;
        let err = contain(|| v[i]).unwrap_err();
        assert!(err.contains("index out of bounds"), "{err}");
        assert_eq!(contain(|| -> u8 { panic!("offset + len out of bounds") }).unwrap_err(), "offset + len out of bounds");
    }
}
