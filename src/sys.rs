//! Talking to the C library, where Rust's standard library cannot.

/// Give freed heap memory back to the operating system.
///
/// The segments parsed from the evidence are freed column by column while the merged table is
/// built. glibc keeps small freed chunks in its heap, so without this the resident set holds both
/// the segments and the table at the end of the merge (1.36 GB instead of ~0.9 GB for 1,000,000
/// sign-ins). Other platforms' allocators return memory on their own; there this does nothing.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    // SAFETY: malloc_trim takes no pointers and has no preconditions; it only returns whole free
    // pages of the heap to the kernel (madvise), and is thread-safe (it locks each arena).
    unsafe {
        libc::malloc_trim(0);
    }
}
