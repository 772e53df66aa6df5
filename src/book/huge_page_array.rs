//! A fixed-length array for a large table read at random, such as the
//! order window: aligned to 2 MiB and, on Linux, advised onto transparent
//! huge pages before its first write. With 4 KiB pages a 32 MiB table spans
//! 8,192 pages, more than the data TLB holds, so a random slot costs a page
//! walk as well as its cache miss; on 2 MiB pages it spans 16. The advice is
//! a hint: where the kernel gives no huge pages (THP `never`, no free
//! 2 MiB frames) the array works the same on small pages. Tables smaller
//! than a huge page are allocated as usual.

use std::alloc::{alloc, dealloc, handle_alloc_error, Layout};
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;

/// The x86-64 huge page.
pub const HUGE_PAGE_BYTES: usize = 2 << 20;

pub struct HugePageArray<T: Copy + Default> {
    ptr: NonNull<T>,
    len: usize,
    layout: Layout,
}

// SAFETY: the array owns its elements exclusively, like a `Box<[T]>`.
unsafe impl<T: Copy + Default + Send> Send for HugePageArray<T> {}
// SAFETY: shared access hands out only `&[T]`, like a `Box<[T]>`.
unsafe impl<T: Copy + Default + Sync> Sync for HugePageArray<T> {}

impl<T: Copy + Default> HugePageArray<T> {
    /// `len` elements, each `T::default()`.
    ///
    /// # Panics
    /// If `len` elements of `T` overflow the address space (as `vec!`
    /// would); aborts if the allocation fails.
    pub fn new(len: usize) -> Self {
        let array = Layout::array::<T>(len).expect("array size overflows");
        let huge = array.size() >= HUGE_PAGE_BYTES;
        let layout = if huge {
            array
                .align_to(HUGE_PAGE_BYTES)
                .expect("huge page alignment")
        } else {
            array
        };
        let ptr = if layout.size() == 0 {
            NonNull::dangling()
        } else {
            // SAFETY: the layout has a non-zero size.
            let raw = unsafe { alloc(layout) }.cast::<T>();
            NonNull::new(raw).unwrap_or_else(|| handle_alloc_error(layout))
        };
        if huge {
            advise_huge_pages(ptr.as_ptr().cast(), layout.size());
        }
        for i in 0..len {
            // SAFETY: `i < len`, inside the allocation of `len` elements;
            // writing initialises the element (there is nothing to drop).
            unsafe { ptr.as_ptr().add(i).write(T::default()) };
        }
        HugePageArray { ptr, len, layout }
    }
}

/// Asks for transparent huge pages over `[at, at + bytes)`, which is not
/// yet written. A hint: its failure changes nothing but speed.
fn advise_huge_pages(at: *mut u8, bytes: usize) {
    #[cfg(all(target_os = "linux", not(miri)))]
    // SAFETY: the range is one live allocation of ours; `madvise` with
    // MADV_HUGEPAGE changes no contents, only how pages are backed.
    unsafe {
        libc::madvise(at.cast(), bytes, libc::MADV_HUGEPAGE);
    }
    #[cfg(not(all(target_os = "linux", not(miri))))]
    let _ = (at, bytes);
}

impl<T: Copy + Default> Deref for HugePageArray<T> {
    type Target = [T];

    #[inline(always)]
    fn deref(&self) -> &[T] {
        // SAFETY: `ptr` holds `len` initialised elements (or is dangling
        // with `len == 0` or a zero-sized `T`), owned by `self`.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl<T: Copy + Default> DerefMut for HugePageArray<T> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut [T] {
        // SAFETY: as in `deref`, and `&mut self` makes the access unique.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl<T: Copy + Default> Drop for HugePageArray<T> {
    fn drop(&mut self) {
        if self.layout.size() != 0 {
            // SAFETY: allocated in `new` with this layout; `T: Copy` has no
            // destructor to run first.
            unsafe { dealloc(self.ptr.as_ptr().cast(), self.layout) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_array_starts_at_a_huge_page_boundary_with_every_element_default() {
        let len = HUGE_PAGE_BYTES / 16 + 5;
        let mut a = HugePageArray::<[u32; 4]>::new(len);
        assert_eq!(a.len(), len);
        assert_eq!(a.as_ptr() as usize % HUGE_PAGE_BYTES, 0);
        assert!(a.iter().all(|&e| e == [0; 4]));
        a[len - 1] = [1, 2, 3, 4];
        a[0][2] = 9;
        assert_eq!(a[len - 1], [1, 2, 3, 4]);
        assert_eq!(a[0], [0, 0, 9, 0]);
    }

    #[test]
    fn a_small_array_is_a_plain_allocation() {
        let mut a = HugePageArray::<u64>::new(64);
        assert_eq!(a.len(), 64);
        assert_eq!(a.as_ptr() as usize % std::mem::align_of::<u64>(), 0);
        a.iter_mut().enumerate().for_each(|(i, e)| *e = i as u64);
        assert_eq!(a.iter().sum::<u64>(), 63 * 64 / 2);
    }

    #[test]
    fn empty_and_zero_sized_arrays_allocate_nothing() {
        assert!(HugePageArray::<u32>::new(0).is_empty());
        let unit = HugePageArray::<()>::new(10);
        assert_eq!(unit.len(), 10);
    }
}
