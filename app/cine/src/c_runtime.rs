//! The C runtime pieces the pure-Rust OpenJPEG port (`openjp2`, JPEG 2000) needs in the browser.
//!
//! `openjp2` is a line-by-line translation of OpenJPEG and still calls `malloc`, `calloc`,
//! `realloc`, `free` and `strcpy` (the memory and maths functions come with Rust's own runtime).
//! It also hands null pointers to Rust's `dealloc` when tearing down code blocks it never
//! decoded; the C library on native targets ignores that, wasm's dlmalloc faults ("memory
//! access out of bounds"), so the global allocator here ignores a null `dealloc` too. Native targets take them from the C library; `wasm32-unknown-unknown`
//! has none, so without these definitions the module would import them from the host and
//! fail to start. They are built on Rust's global allocator with a 16-byte header holding the
//! block size (what `dealloc` needs), keep C's 16-byte alignment, and follow C semantics:
//! `free(NULL)` and `realloc(NULL, n)` are valid, and sizes that overflow give `NULL`.
use std::alloc::{GlobalAlloc, Layout, System, alloc, alloc_zeroed, dealloc, realloc as grow};
use std::ffi::{c_char, c_void};
use std::ptr::null_mut;

/// The system allocator, except that releasing a null pointer does nothing.
struct NullTolerant;

// SAFETY: every call forwards to the system allocator; only a null `dealloc`, which has
// nothing to release, is dropped.
unsafe impl GlobalAlloc for NullTolerant {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is the system allocator's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if !ptr.is_null() {
            // SAFETY: as above, for a real block.
            unsafe { System.dealloc(ptr, layout) }
        }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: NullTolerant = NullTolerant;

/// Header in front of every block; also the alignment of every block.
const HEADER: usize = 16;

fn layout(total: usize) -> Option<Layout> {
    Layout::from_size_align(total, HEADER).ok()
}

/// # Safety
/// Only the allocator functions below call it; `size` is the caller's request.
unsafe fn allocate(size: usize, zeroed: bool) -> *mut c_void {
    let Some(total) = size.checked_add(HEADER) else {
        return null_mut();
    };
    let Some(layout) = layout(total) else {
        return null_mut();
    };
    // SAFETY: the layout has a non-zero size (at least the header).
    let base = unsafe {
        if zeroed {
            alloc_zeroed(layout)
        } else {
            alloc(layout)
        }
    };
    if base.is_null() {
        return null_mut();
    }
    // SAFETY: the block is at least HEADER bytes and aligned for usize.
    unsafe {
        base.cast::<usize>().write(total);
        base.add(HEADER).cast()
    }
}

/// The block start and its layout for a pointer returned by [`allocate`].
///
/// # Safety
/// `ptr` must come from this allocator and not have been freed.
unsafe fn block(ptr: *mut c_void) -> (*mut u8, Layout) {
    // SAFETY: per the contract, the header sits HEADER bytes before `ptr`.
    unsafe {
        let base = ptr.cast::<u8>().sub(HEADER);
        let total = base.cast::<usize>().read();
        (base, Layout::from_size_align_unchecked(total, HEADER))
    }
}

/// # Safety
/// C `malloc`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn malloc(size: usize) -> *mut c_void {
    // SAFETY: forwarding the request.
    unsafe { allocate(size, false) }
}

/// # Safety
/// C `calloc`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn calloc(count: usize, size: usize) -> *mut c_void {
    match count.checked_mul(size) {
        // SAFETY: forwarding the request.
        Some(bytes) => unsafe { allocate(bytes, true) },
        None => null_mut(),
    }
}

/// # Safety
/// C `free`: `ptr` is null or came from this allocator.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn free(ptr: *mut c_void) {
    if ptr.is_null() {
        return;
    }
    // SAFETY: per the contract, `ptr` is a live block of this allocator.
    unsafe {
        let (base, layout) = block(ptr);
        dealloc(base, layout);
    }
}

/// # Safety
/// C `realloc`: `ptr` is null or came from this allocator.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn realloc(ptr: *mut c_void, size: usize) -> *mut c_void {
    if ptr.is_null() {
        // SAFETY: forwarding the request.
        return unsafe { allocate(size, false) };
    }
    if size == 0 {
        // SAFETY: as for free.
        unsafe { free(ptr) };
        return null_mut();
    }
    let Some(total) = size.checked_add(HEADER).filter(|t| layout(*t).is_some()) else {
        return null_mut();
    };
    // SAFETY: `ptr` is a live block; the new size is valid for its alignment.
    unsafe {
        let (base, old) = block(ptr);
        let moved = grow(base, old, total);
        if moved.is_null() {
            return null_mut();
        }
        moved.cast::<usize>().write(total);
        moved.add(HEADER).cast()
    }
}

/// # Safety
/// C `strcpy`: `src` is NUL-terminated and `dst` has room for it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strcpy(dst: *mut c_char, src: *const c_char) -> *mut c_char {
    // SAFETY: per the contract.
    unsafe {
        let len = std::ffi::CStr::from_ptr(src).to_bytes_with_nul().len();
        std::ptr::copy_nonoverlapping(src, dst, len);
    }
    dst
}
