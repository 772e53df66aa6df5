//! A single-producer single-consumer ring of variable-length records in
//! shared memory.
//!
//! Layout (all little-endian, 128-byte blocks so that no two hot fields
//! share a pair of cache lines, which the adjacent-line prefetcher fetches
//! together):
//!
//! ```text
//!   0  meta   magic "BWRING01", version, capacity, owner pids, name
//! 128  head   u64: bytes ever written (producer)      own 128-byte block
//! 136  last   u64: the last record published (producer), same block
//! 256  tail   u64: bytes ever consumed (consumer)     own 128-byte block
//! 384  spare
//! 512  data   `capacity` bytes, a power of two
//! ```
//!
//! A record is `[length u32 | kind u16 | more u16 | payload]`, padded to
//! 8 bytes. It carries `more + 1` messages of its kind, each `length /
//! (more + 1)` bytes, one after the other: one message (`more` = 0), or a
//! batch written at once by [`RingProducer::send_batch`], whose messages
//! must then each be a multiple of 8 bytes long (so every message starts
//! 8-aligned). A batch's one header costs 8 bytes per batch instead of per
//! message. Readers see messages, never batches: every read returns the
//! next message, and a batch record's space is released only once its last
//! message has been read.
//!
//! A record never wraps: when it does not fit before the end of the
//! data area, a padding record (kind 0) fills the rest and the record starts
//! at offset 0. Head and tail count bytes forever (no wrap-around), so full
//! is `head - tail == capacity` and empty is `head == tail`.
//!
//! Each side caches the other's index and reloads it only when its cache
//! says the ring is full (producer) or empty (consumer). The producer
//! publishes with a release store of `head`; the consumer acquires it.
//!
//! Beside the head, each publish announces the last record it made
//! visible, when that record is one message: `last` is the head's low 32
//! bits, the record's kind and its length ([`announcement`]), stored just
//! before the head. A consumer that has read everything before that record
//! and finds it announced as the type it expects takes its framing from
//! the announcement: it checks the head's line, which it has just loaded,
//! and reads the record's line only for the payload (a caller that only
//! asks whether a message came never waits for that line). Otherwise it
//! reads the record's own header. An announcement is part of what the
//! producer writes: one that disagrees with the record's header garbles
//! that record, as a garbled payload would, and the consumer still reads
//! only inside the ring.
//!
//! The consumer copies each record out before validating it, so a misbehaving
//! producer in another process can garble its own records but cannot make
//! the consumer read outside the ring.

use super::ring_messages::RingMessage;
use super::shm_file::{ShmError, ShmFile};
use super::write_prefetch;
use std::alloc::Layout;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;

pub const RING_MAGIC: u64 = u64::from_le_bytes(*b"BWRING01");
/// 2: a record may carry several messages (`more`, formerly reserved and
/// zero). A version-1 build would misread such a record, so it refuses
/// the ring instead.
/// 3: each publish announces its last record beside the head (`last`). A
/// version-2 producer would leave an announcement stale, so the two do not
/// share a ring.
pub const RING_VERSION: u32 = 3;
pub const HEADER_LEN: usize = 512;
pub const RECORD_HEADER_LEN: usize = 8;
pub const RECORD_ALIGN: usize = 8;
/// The largest payload a record may carry.
pub const MAX_PAYLOAD: usize = 4096;
pub const KIND_PADDING: u16 = 0;
/// The most messages one record carries (the header's `more` is 16 bits).
pub const MAX_BATCH: usize = 1 << 16;

const OFF_MAGIC: usize = 0;
const OFF_VERSION: usize = 8;
const OFF_CAPACITY: usize = 16;
const OFF_PRODUCER_PID: usize = 24;
const OFF_CONSUMER_PID: usize = 28;
const OFF_NAME: usize = 32;
const NAME_LEN: usize = 32;
const OFF_HEAD: usize = 128;
/// The last record published ([`announcement`]), on the head's line.
const OFF_LAST: usize = 136;
const OFF_TAIL: usize = 256;

#[derive(Debug, thiserror::Error)]
pub enum RingError {
    #[error(transparent)]
    Shm(#[from] ShmError),
    #[error("{path}: not a Breakwater ring (magic {magic:#018x})")]
    BadMagic { path: PathBuf, magic: u64 },
    #[error("{path}: ring version {found}, this build speaks {RING_VERSION}")]
    BadVersion { path: PathBuf, found: u32 },
    #[error("{path}: capacity {capacity} is not a power of two between 4 KiB and 1 GiB, or does not match the file size {file_len}")]
    BadCapacity {
        path: PathBuf,
        capacity: u64,
        file_len: usize,
    },
    #[error("ring {name}: already has a live {role} (pid {pid})")]
    RoleTaken {
        name: String,
        role: &'static str,
        pid: u32,
    },
    #[error("ring {name}: corrupt record at byte {position}: {reason}")]
    Corrupt {
        name: String,
        position: u64,
        reason: &'static str,
    },
}

/// Why a record could not be pushed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PushError {
    #[error("ring full")]
    Full,
    #[error("payload of {0} bytes exceeds the maximum record size")]
    TooLarge(usize),
    #[error("record kind 0 is reserved for padding")]
    ReservedKind,
}

/// Heap memory for in-process rings (tests, benchmarks, miri).
struct HeapRegion {
    ptr: *mut u8,
    layout: Layout,
}

impl Drop for HeapRegion {
    fn drop(&mut self) {
        // SAFETY: ptr was allocated with exactly this layout in `in_memory`.
        unsafe { std::alloc::dealloc(self.ptr, self.layout) }
    }
}

enum Backing {
    Shm(#[allow(dead_code)] ShmFile),
    Heap(#[allow(dead_code)] HeapRegion),
}

// SAFETY: the backing only owns memory; all shared access to it goes
// through atomics or the ring protocol.
unsafe impl Send for Backing {}
// SAFETY: as above.
unsafe impl Sync for Backing {}

/// A mapped ring, before it is split into its producer or consumer side.
#[derive(Clone)]
pub struct Ring {
    base: *mut u8,
    capacity: usize,
    name: String,
    _backing: Arc<Backing>,
}

// SAFETY: Ring is a handle to memory designed for concurrent use by one
// producer and one consumer; the role claims in the header keep it so.
unsafe impl Send for Ring {}

impl Ring {
    pub fn file_len(capacity: usize) -> usize {
        HEADER_LEN + capacity
    }

    fn check_capacity(capacity: usize) -> bool {
        capacity.is_power_of_two() && (4096..=1 << 30).contains(&capacity)
    }

    /// Creates a new ring file (mode 0600) of `capacity` data bytes.
    pub fn create(path: &Path, name: &str, capacity: usize) -> Result<Ring, RingError> {
        if !Self::check_capacity(capacity) {
            return Err(RingError::BadCapacity {
                path: path.to_path_buf(),
                capacity: capacity as u64,
                file_len: 0,
            });
        }
        // Built under a temporary name and published with a hard link, so
        // that nobody ever opens a ring whose header is not yet written, and
        // an existing ring is never replaced (link fails if the name exists).
        let mut staging = path.as_os_str().to_owned();
        staging.push(format!(".creating-{}", std::process::id()));
        let staging = PathBuf::from(staging);
        let _ = std::fs::remove_file(&staging);
        let mut file = ShmFile::create_new(&staging, Self::file_len(capacity))?;
        let base = file.map.as_mut_ptr();
        let ring = Ring {
            base,
            capacity,
            name: name.to_string(),
            _backing: Arc::new(Backing::Shm(file)),
        };
        ring.init_header(name);
        let published = std::fs::hard_link(&staging, path);
        let _ = std::fs::remove_file(&staging);
        published.map_err(|source| {
            RingError::Shm(ShmError::Io {
                path: path.to_path_buf(),
                source,
            })
        })?;
        Ok(ring)
    }

    /// Opens an existing ring file and validates its header.
    pub fn open(path: &Path) -> Result<Ring, RingError> {
        let mut file = ShmFile::open(path, HEADER_LEN)?;
        let len = file.map.len();
        let base = file.map.as_mut_ptr();
        let probe = Ring {
            base,
            capacity: 0,
            name: String::new(),
            _backing: Arc::new(Backing::Shm(file)),
        };
        let magic = probe.atomic64(OFF_MAGIC).load(Ordering::Acquire);
        if magic != RING_MAGIC {
            return Err(RingError::BadMagic {
                path: path.to_path_buf(),
                magic,
            });
        }
        let version = probe.atomic32(OFF_VERSION).load(Ordering::Acquire);
        if version != RING_VERSION {
            return Err(RingError::BadVersion {
                path: path.to_path_buf(),
                found: version,
            });
        }
        let capacity = probe.atomic64(OFF_CAPACITY).load(Ordering::Acquire);
        if !Self::check_capacity(capacity as usize) || Self::file_len(capacity as usize) != len {
            return Err(RingError::BadCapacity {
                path: path.to_path_buf(),
                capacity,
                file_len: len,
            });
        }
        let name = probe.stored_name();
        Ok(Ring {
            capacity: capacity as usize,
            name,
            ..probe
        })
    }

    /// A ring in process memory (for tests, benchmarks and miri).
    pub fn in_memory(name: &str, capacity: usize) -> Ring {
        assert!(Self::check_capacity(capacity), "capacity {capacity}");
        let layout = Layout::from_size_align(Self::file_len(capacity), 128).expect("valid layout");
        // SAFETY: layout has non-zero size; alloc_zeroed returns memory
        // suitable for it or NULL (checked).
        let ptr = unsafe { std::alloc::alloc_zeroed(layout) };
        assert!(
            !ptr.is_null(),
            "allocation of {} bytes failed",
            layout.size()
        );
        let ring = Ring {
            base: ptr,
            capacity,
            name: name.to_string(),
            _backing: Arc::new(Backing::Heap(HeapRegion { ptr, layout })),
        };
        ring.init_header(name);
        ring
    }

    fn init_header(&self, name: &str) {
        let mut stored = [0u8; NAME_LEN];
        let n = name.len().min(NAME_LEN);
        stored[..n].copy_from_slice(&name.as_bytes()[..n]);
        // SAFETY: the name field lies inside the 128-byte meta block of the
        // mapping, which nobody else uses before the magic is published.
        unsafe {
            std::ptr::copy_nonoverlapping(stored.as_ptr(), self.base.add(OFF_NAME), NAME_LEN)
        };
        self.atomic32(OFF_VERSION)
            .store(RING_VERSION, Ordering::Relaxed);
        self.atomic64(OFF_CAPACITY)
            .store(self.capacity as u64, Ordering::Relaxed);
        self.atomic64(OFF_HEAD).store(0, Ordering::Relaxed);
        self.atomic64(OFF_LAST).store(0, Ordering::Relaxed);
        self.atomic64(OFF_TAIL).store(0, Ordering::Relaxed);
        // The magic goes last: a reader that sees it sees the rest.
        self.atomic64(OFF_MAGIC)
            .store(RING_MAGIC, Ordering::Release);
    }

    fn stored_name(&self) -> String {
        let mut raw = [0u8; NAME_LEN];
        // SAFETY: reading the 32-byte name field inside the meta block.
        unsafe {
            std::ptr::copy_nonoverlapping(self.base.add(OFF_NAME), raw.as_mut_ptr(), NAME_LEN)
        };
        let end = raw.iter().position(|&b| b == 0).unwrap_or(NAME_LEN);
        String::from_utf8_lossy(&raw[..end]).into_owned()
    }

    fn atomic64(&self, offset: usize) -> &AtomicU64 {
        debug_assert!(offset % 8 == 0 && offset + 8 <= HEADER_LEN);
        // SAFETY: offset is one of the 8-aligned header fields, inside the
        // mapping (HEADER_LEN bytes are always mapped) whose base is page or
        // 128-byte aligned; the field is only ever accessed atomically.
        unsafe { &*(self.base.add(offset) as *const AtomicU64) }
    }

    fn atomic32(&self, offset: usize) -> &AtomicU32 {
        debug_assert!(offset % 4 == 0 && offset + 4 <= HEADER_LEN);
        // SAFETY: as for atomic64, with a 4-aligned field.
        unsafe { &*(self.base.add(offset) as *const AtomicU32) }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Bytes written but not yet consumed, as seen now.
    pub fn used_bytes(&self) -> u64 {
        let head = self.atomic64(OFF_HEAD).load(Ordering::Acquire);
        let tail = self.atomic64(OFF_TAIL).load(Ordering::Acquire);
        head.wrapping_sub(tail)
    }

    fn claim(&self, offset: usize, role: &'static str) -> Result<(), RingError> {
        let me = std::process::id();
        let slot = self.atomic32(offset);
        loop {
            let current = slot.load(Ordering::Acquire);
            if current == 0 || current == me || !process_alive(current) {
                if slot
                    .compare_exchange(current, me, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok()
                {
                    return Ok(());
                }
                continue;
            }
            return Err(RingError::RoleTaken {
                name: self.name.clone(),
                role,
                pid: current,
            });
        }
    }

    /// Becomes the ring's producer. Refused while another live process is
    /// its producer; a dead producer's claim is taken over, and writing
    /// resumes at the published head (an unpublished record is lost with
    /// the process that wrote it, never half-read).
    pub fn producer(self) -> Result<RingProducer, RingError> {
        self.claim(OFF_PRODUCER_PID, "producer")?;
        Ok(self.producer_unclaimed())
    }

    /// Becomes the ring's consumer (same rules as [`Ring::producer`]);
    /// reading resumes at the stored tail.
    pub fn consumer(self) -> Result<RingConsumer, RingError> {
        self.claim(OFF_CONSUMER_PID, "consumer")?;
        Ok(self.consumer_unclaimed())
    }

    /// Producer side without the pid claim: for two sides in one process.
    pub fn producer_unclaimed(self) -> RingProducer {
        let head = self.atomic64(OFF_HEAD).load(Ordering::Acquire);
        let tail = self.atomic64(OFF_TAIL).load(Ordering::Acquire);
        RingProducer {
            head,
            published_head: head,
            tail_cache: tail,
            last_record: 0,
            write_prefetch: write_prefetch::supported(),
            ring: self,
        }
    }

    /// Consumer side without the pid claim: for two sides in one process.
    pub fn consumer_unclaimed(self) -> RingConsumer {
        let tail = self.atomic64(OFF_TAIL).load(Ordering::Acquire);
        // The head is loaded (and validated against the tail) on the first
        // read: a cache equal to the tail says "look".
        RingConsumer {
            tail,
            released_tail: tail,
            head_cache: tail,
            batch: BatchCursor::default(),
            ring: self,
        }
    }

    /// The pid holding the producer (or consumer) role, 0 if none.
    pub fn producer_pid(&self) -> u32 {
        self.atomic32(OFF_PRODUCER_PID).load(Ordering::Acquire)
    }

    pub fn consumer_pid(&self) -> u32 {
        self.atomic32(OFF_CONSUMER_PID).load(Ordering::Acquire)
    }

    #[inline(always)]
    fn data(&self) -> *mut u8 {
        // SAFETY: HEADER_LEN is inside the mapping (the file is HEADER_LEN +
        // capacity bytes).
        unsafe { self.base.add(HEADER_LEN) }
    }
}

/// True when `pid` names a live process.
pub fn process_alive(pid: u32) -> bool {
    if pid == 0 || pid > i32::MAX as u32 {
        return false;
    }
    // SAFETY: kill with signal 0 only checks for existence and permission.
    let rc = unsafe { libc::kill(pid as i32, 0) };
    rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[inline(always)]
const fn record_len(payload: usize) -> usize {
    RECORD_HEADER_LEN + ((payload + RECORD_ALIGN - 1) & !(RECORD_ALIGN - 1))
}

/// The writing side of a ring.
pub struct RingProducer {
    ring: Ring,
    head: u64,
    published_head: u64,
    tail_cache: u64,
    /// The kind and length of the record that ends at `head`, when it is
    /// one message (see [`announcement`]); 0 otherwise.
    last_record: u32,
    /// Whether batches ask for their successor's lines ahead
    /// ([`super::write_prefetch`]).
    write_prefetch: bool,
}

impl RingProducer {
    pub fn ring(&self) -> &Ring {
        &self.ring
    }

    /// Writes one record and publishes it.
    #[inline]
    pub fn try_push(&mut self, kind: u16, payload: &[u8]) -> Result<(), PushError> {
        self.write(kind, payload)?;
        self.publish();
        Ok(())
    }

    /// Sends one message and publishes it (its size is a compile-time
    /// constant, so the copy is a few moves).
    #[inline]
    pub fn send<T: RingMessage>(&mut self, message: &T) -> Result<(), PushError> {
        self.write_message(message)?;
        self.publish();
        Ok(())
    }

    /// Writes one message without publishing it.
    #[inline]
    pub fn write_message<T: RingMessage>(&mut self, message: &T) -> Result<(), PushError> {
        let dst = self.reserve(T::KIND, std::mem::size_of::<T>())?;
        // SAFETY: reserve returned room for size_of::<T>() bytes inside the
        // data area; T is Pod, so any bytes are a valid copy and unaligned
        // writes are allowed.
        unsafe { dst.cast::<T>().write_unaligned(*message) };
        Ok(())
    }

    /// Writes one record without publishing it (see [`RingProducer::publish`]).
    #[inline]
    pub fn write(&mut self, kind: u16, payload: &[u8]) -> Result<(), PushError> {
        let dst = self.reserve(kind, payload.len())?;
        // SAFETY: reserve returned room for payload.len() bytes.
        unsafe { copy_words_exact(payload, dst) };
        Ok(())
    }

    /// Claims space for a record of `len` payload bytes (writing a padding
    /// record first if it would cross the end), writes its header, advances
    /// the head, and returns where the payload goes.
    #[inline(always)]
    fn reserve(&mut self, kind: u16, len: usize) -> Result<*mut u8, PushError> {
        check_record(kind, len)?;
        let capacity = self.ring.capacity as u64;
        let need = record_len(len) as u64;
        let offset = self.head & (capacity - 1);
        let to_end = capacity - offset;
        // The common case: the record fits before the end and the cached
        // tail already shows room for it.
        if need <= to_end && (self.head + need).wrapping_sub(self.tail_cache) <= capacity {
            self.head += need;
            self.last_record = record_tag(kind, len);
            let at = self.ring.data().wrapping_add(offset as usize);
            // SAFETY: [offset, offset + need) lies inside the data area
            // (need <= to_end) and is free space (checked against the tail).
            unsafe {
                write_header(at, len as u32, kind, 0);
                return Ok(at.add(RECORD_HEADER_LEN));
            }
        }
        let total = if to_end < need { to_end + need } else { need };
        if (self.head + total).wrapping_sub(self.tail_cache) > capacity {
            self.tail_cache = self.ring.atomic64(OFF_TAIL).load(Ordering::Acquire);
            if (self.head + total).wrapping_sub(self.tail_cache) > capacity {
                return Err(PushError::Full);
            }
        }
        let data = self.ring.data();
        if to_end < need {
            // SAFETY: the bytes to the end are free (checked above).
            unsafe { self.pad_to_end(to_end) };
        }
        let at = (self.head & (capacity - 1)) as usize;
        self.head += need;
        self.last_record = record_tag(kind, len);
        // SAFETY: [at, at + need) lies inside the data area (the record fits
        // before the end, by the padding above) and is free space.
        unsafe {
            write_header(data.add(at), len as u32, kind, 0);
            Ok(data.add(at + RECORD_HEADER_LEN))
        }
    }

    /// Fills the `to_end` bytes from the head to the end of the data area
    /// with a padding record, so that the next record starts at offset 0.
    ///
    /// # Safety
    /// Those bytes must be free (the cached tail shows at least `to_end`
    /// bytes of room), and `to_end` must be what is left before the end.
    #[inline]
    unsafe fn pad_to_end(&mut self, to_end: u64) {
        let capacity = self.ring.capacity as u64;
        let offset = self.head & (capacity - 1);
        debug_assert_eq!(to_end, capacity - offset);
        // SAFETY: offset is 8-aligned and < capacity, so the 8 header
        // bytes at it are inside the data area, and free per the contract.
        unsafe {
            write_header(
                self.ring.data().add(offset as usize),
                (to_end as usize - RECORD_HEADER_LEN) as u32,
                KIND_PADDING,
                0,
            )
        };
        self.head += to_end;
        self.last_record = 0;
    }

    /// Writes as many of `messages` as there is room for, in order, and
    /// publishes them with one release store: the number written (fewer
    /// than asked when the ring fills; 0 when it is full).
    ///
    /// The batched form of [`RingProducer::send`]: the messages go into as
    /// few records as the ring allows (one, unless the batch meets the end
    /// of the data area, the free space, or [`MAX_PAYLOAD`]), each with one
    /// header for all its messages, copied in one piece. A message type
    /// whose size is not a multiple of 8 cannot share a record (its
    /// successors would start unaligned): it is written one record per
    /// message. After publishing, it asks for the lines the next batch
    /// will write (`prefetchw`, see [`super::write_prefetch`]).
    #[inline]
    pub fn send_batch<T: RingMessage>(&mut self, messages: &[T]) -> Result<usize, PushError> {
        let len = std::mem::size_of::<T>();
        check_record(T::KIND, len)?;
        if len == 0 || len % RECORD_ALIGN != 0 {
            return Ok(self.send_one_per_record(messages));
        }
        let per_record = (MAX_PAYLOAD / len).min(MAX_BATCH);
        let capacity = self.ring.capacity as u64;
        let data = self.ring.data();
        let head_before = self.head;
        let mut written = 0;
        while written < messages.len() {
            let left = (messages.len() - written).min(per_record);
            let offset = self.head & (capacity - 1);
            let to_end = capacity - offset;
            let mut free_bytes = self.cached_free_bytes();
            // The tail is reloaded only when the cached one does not show
            // room for what is left (or for the padding at the end).
            let wanted = (RECORD_HEADER_LEN + left * len) as u64;
            if free_bytes < wanted.min(to_end) {
                self.tail_cache = self.ring.atomic64(OFF_TAIL).load(Ordering::Acquire);
                free_bytes = self.cached_free_bytes();
            }
            let one = (RECORD_HEADER_LEN + len) as u64;
            if to_end < one {
                // Not even one message fits before the end: padding fills
                // it, and the record starts at offset 0.
                if free_bytes < to_end {
                    break;
                }
                // SAFETY: the bytes to the end are free (checked above).
                unsafe { self.pad_to_end(to_end) };
                continue;
            }
            let room = to_end.min(free_bytes);
            if room < one {
                break;
            }
            let n = (((room - RECORD_HEADER_LEN as u64) / len as u64) as usize).min(left);
            let bytes = n * len;
            let at = data.wrapping_add(offset as usize);
            // SAFETY: the record (8 + bytes <= room bytes) lies inside the
            // data area (room <= to_end) and in free space (room <=
            // free_bytes), and starts 8-aligned; n <= MAX_BATCH, so n - 1
            // fits the header's 16 bits. The messages are Pod, their bytes
            // copied as they are into the record's payload, which does not
            // overlap them.
            unsafe {
                write_header(at, bytes as u32, T::KIND, (n - 1) as u16);
                std::ptr::copy_nonoverlapping(
                    messages.as_ptr().add(written).cast::<u8>(),
                    at.add(RECORD_HEADER_LEN),
                    bytes,
                );
            }
            self.head += (RECORD_HEADER_LEN + bytes) as u64;
            self.last_record = 0;
            written += n;
        }
        self.publish();
        if self.write_prefetch {
            self.prefetch_for_write(self.head - head_before);
        }
        Ok(written)
    }

    /// Asks for the lines of the next `bytes` of the data area that the
    /// cached tail shows free, ready to be written: a batch writes lines
    /// the consumer read a lap earlier, and asking for the next batch's
    /// (taken to be as long as the last) lets their transfer from the
    /// consumer's cache overlap the caller filling it.
    #[inline]
    fn prefetch_for_write(&self, bytes: u64) {
        let capacity = self.ring.capacity as u64;
        let ahead = bytes.min(self.cached_free_bytes());
        let data = self.ring.data();
        let mut line = 0;
        while line < ahead {
            let offset = (self.head + line) & (capacity - 1);
            write_prefetch::prefetch_line_for_write(data.wrapping_add(offset as usize));
            line += write_prefetch::LINE_BYTES;
        }
    }

    /// Free bytes by the cached tail. A tail from a misbehaving consumer
    /// may be anywhere: a used count beyond the capacity reads as full.
    #[inline(always)]
    fn cached_free_bytes(&self) -> u64 {
        (self.ring.capacity as u64).saturating_sub(self.head.wrapping_sub(self.tail_cache))
    }

    /// [`RingProducer::send_batch`] for messages that cannot share a
    /// record: one record each, published together.
    #[cold]
    fn send_one_per_record<T: RingMessage>(&mut self, messages: &[T]) -> usize {
        let written = messages
            .iter()
            .take_while(|m| self.write_message(*m).is_ok())
            .count();
        self.publish();
        written
    }

    /// Makes every written record visible to the consumer (one release
    /// store for any number of records).
    #[inline]
    pub fn publish(&mut self) {
        if self.head != self.published_head {
            // The announcement first: the head's release store makes it
            // visible with the head.
            self.ring
                .atomic64(OFF_LAST)
                .store(announcement(self.head, self.last_record), Ordering::Relaxed);
            self.ring
                .atomic64(OFF_HEAD)
                .store(self.head, Ordering::Release);
            self.published_head = self.head;
        }
    }

    /// Free bytes as last seen (reloads the consumer's tail; a garbled
    /// tail reads as a full ring).
    pub fn free_bytes(&mut self) -> u64 {
        self.tail_cache = self.ring.atomic64(OFF_TAIL).load(Ordering::Acquire);
        self.cached_free_bytes()
    }
}

/// What any record must be: not of the padding kind, and at most
/// [`MAX_PAYLOAD`] bytes of payload.
#[inline(always)]
fn check_record(kind: u16, len: usize) -> Result<(), PushError> {
    if kind == KIND_PADDING {
        return Err(PushError::ReservedKind);
    }
    if len > MAX_PAYLOAD {
        return Err(PushError::TooLarge(len));
    }
    Ok(())
}

/// Writes a record header: length (low 32 bits), kind (next 16), the
/// count of messages after the first (top 16), one aligned 8-byte store.
///
/// # Safety
/// `at` must point at 8 writable, 8-aligned bytes.
#[inline(always)]
unsafe fn write_header(at: *mut u8, len: u32, kind: u16, more: u16) {
    // SAFETY: per the contract.
    unsafe { at.cast::<u64>().write(header_word(len, kind, more).to_le()) };
}

/// A record header as one word: length (low 32 bits), kind (next 16), the
/// count of messages after the first (top 16).
#[inline(always)]
const fn header_word(len: u32, kind: u16, more: u16) -> u64 {
    len as u64 | (kind as u64) << 32 | (more as u64) << 48
}

/// A one-message record's kind (low 16 bits) and payload length (high 16:
/// at most [`MAX_PAYLOAD`], so it fits); never 0, since kind 0 is padding.
#[inline(always)]
const fn record_tag(kind: u16, len: usize) -> u32 {
    kind as u32 | (len as u32) << 16
}

/// What a publish announces beside the head: the head's low 32 bits and
/// the [`record_tag`] of the record that ends there (0 when that is not a
/// record of one message). The head's low bits tie the announcement to the
/// head it came with: a consumer that loaded one head and then a later
/// publish's announcement sees different low bits (the producer cannot get
/// 2^32 bytes ahead of a consumer that has not moved: the ring is smaller).
#[inline(always)]
const fn announcement(head: u64, tag: u32) -> u64 {
    head as u32 as u64 | (tag as u64) << 32
}

/// Copies `src` to `dst` in 8-byte words (no call into memcpy for the small
/// payloads rings carry).
///
/// # Safety
/// `dst` must have room for `src.len()` bytes.
#[inline(always)]
unsafe fn copy_words_exact(src: &[u8], dst: *mut u8) {
    let words = src.len() / 8;
    let s = src.as_ptr();
    for i in 0..words {
        // SAFETY: i * 8 + 8 <= src.len(); dst has as much room.
        unsafe {
            dst.add(i * 8)
                .cast::<u64>()
                .write_unaligned(s.add(i * 8).cast::<u64>().read_unaligned())
        };
    }
    for i in words * 8..src.len() {
        // SAFETY: i < src.len().
        unsafe { *dst.add(i) = *s.add(i) };
    }
}

/// A record copied out of the ring: its kind and payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordBuf {
    pub kind: u16,
    pub len: usize,
    /// 8-aligned storage for the payload (bytemuck casts need alignment).
    words: Box<[u64; MAX_PAYLOAD / 8]>,
}

impl Default for RecordBuf {
    fn default() -> Self {
        RecordBuf {
            kind: 0,
            len: 0,
            words: Box::new([0; MAX_PAYLOAD / 8]),
        }
    }
}

impl RecordBuf {
    pub fn payload(&self) -> &[u8] {
        &bytemuck::cast_slice::<u64, u8>(&self.words[..])[..self.len]
    }
}

/// The reading side of a ring.
pub struct RingConsumer {
    ring: Ring,
    /// Where the next record starts (while a record of several messages is
    /// being read: where it starts, so that it is not released).
    tail: u64,
    released_tail: u64,
    head_cache: u64,
    /// The rest of a record of several messages, once its first was read.
    batch: BatchCursor,
}

/// The messages of a record of several that are still to be read.
#[derive(Clone, Copy, Debug, Default)]
struct BatchCursor {
    /// How many (0: no record is being read).
    left: u32,
    kind: u16,
    /// Each message's length, a multiple of 8.
    len: u32,
    /// The data-area offset of the next one.
    at: u64,
    /// The tail once the last one is read: the end of the record.
    end: u64,
}

impl RingConsumer {
    pub fn ring(&self) -> &Ring {
        &self.ring
    }

    fn corrupt(&self, reason: &'static str) -> RingError {
        RingError::Corrupt {
            name: self.ring.name.clone(),
            position: self.tail,
            reason,
        }
    }

    /// True when `head` can follow the tail: at most a ring's capacity
    /// ahead, and both 8-byte aligned. Only such a head is cached.
    #[inline(always)]
    fn head_in_range(&self, head: u64) -> bool {
        head.wrapping_sub(self.tail) <= self.ring.capacity as u64 && (head | self.tail) & 7 == 0
    }

    /// Finds the next message (skipping padding): the rest of a record of
    /// several, or the first message of the next record, which is checked
    /// to lie inside the ring and the published head. Steps past it
    /// without releasing its space; returns its kind, length and where it
    /// starts.
    #[inline(always)]
    fn next_message(&mut self) -> Result<Option<(u16, usize, *const u8)>, RingError> {
        if self.batch.left != 0 {
            return Ok(Some(self.next_of_batch()));
        }
        let capacity = self.ring.capacity as u64;
        loop {
            if self.tail == self.head_cache {
                let head = self.ring.atomic64(OFF_HEAD).load(Ordering::Acquire);
                if self.tail == head {
                    return Ok(None);
                }
                // Only a validated head is cached: the typed fast path
                // trusts the cache.
                if !self.head_in_range(head) {
                    return Err(self.corrupt("head or tail is out of range"));
                }
                self.head_cache = head;
            }
            let offset = self.tail & (capacity - 1);
            let available = self.head_cache - self.tail;
            let data = self.ring.data();
            // SAFETY: offset is 8-aligned and < capacity, so the 8 bytes at it
            // are inside the data area, aligned, and were published by the
            // producer (acquire above).
            let header = u64::from_le(unsafe { data.add(offset as usize).cast::<u64>().read() });
            let len = (header & 0xffff_ffff) as usize;
            let kind = (header >> 32) as u16;
            let more = (header >> 48) as usize;
            if kind == KIND_PADDING {
                if offset + (RECORD_HEADER_LEN + len) as u64 != capacity
                    || (RECORD_HEADER_LEN + len) as u64 > available
                {
                    return Err(self.corrupt("padding record does not end at the end of the ring"));
                }
                self.tail += (RECORD_HEADER_LEN + len) as u64;
                continue;
            }
            if len > MAX_PAYLOAD {
                return Err(self.corrupt("record longer than the maximum payload"));
            }
            let size = record_len(len) as u64;
            if size > capacity - offset || size > available {
                return Err(self.corrupt("record runs past the ring or the published head"));
            }
            // SAFETY: offset + 8 is inside the data area (size <= capacity - offset).
            let first = unsafe { data.add(offset as usize + RECORD_HEADER_LEN) };
            if more == 0 {
                self.tail += size;
                return Ok(Some((kind, len, first)));
            }
            // Several messages: equal lengths, each a non-zero multiple of
            // 8, so that each lies inside the record and starts aligned.
            let message_len = len / (more + 1);
            if message_len * (more + 1) != len || message_len == 0 || message_len % 8 != 0 {
                return Err(
                    self.corrupt("record's length is not its message count times a multiple of 8")
                );
            }
            // The tail stays at the record until its last message is read.
            self.batch = BatchCursor {
                left: more as u32,
                kind,
                len: message_len as u32,
                at: offset + (RECORD_HEADER_LEN + message_len) as u64,
                end: self.tail + size,
            };
            return Ok(Some((kind, message_len, first)));
        }
    }

    /// The next message of the record of several being read (there is
    /// one: `batch.left` > 0).
    #[inline(always)]
    fn next_of_batch(&mut self) -> (u16, usize, *const u8) {
        let b = &mut self.batch;
        debug_assert!(b.left > 0);
        // SAFETY: the record's messages were checked to lie inside the
        // data area and below the published head when its header was
        // read; `at` is the next of them.
        let at = unsafe { self.ring.data().add(b.at as usize) };
        b.at += u64::from(b.len);
        b.left -= 1;
        if b.left == 0 {
            self.tail = b.end;
        }
        (b.kind, b.len as usize, at)
    }

    /// Copies the next message into `out` (skipping padding) without
    /// releasing its space; `Ok(false)` when the ring is empty. The copy is
    /// made before anything reads the payload, so a producer writing over a
    /// record it already published can garble that record but not what the
    /// consumer validated.
    #[inline]
    pub fn read(&mut self, out: &mut RecordBuf) -> Result<bool, RingError> {
        let Some((kind, len, src)) = self.next_message()? else {
            return Ok(false);
        };
        out.kind = kind;
        out.len = len;
        // A message starts 8-aligned and its record is padded to 8 bytes
        // inside the ring: copy whole words.
        for i in 0..len.div_ceil(8) {
            // SAFETY: word i lies inside the record (padded to 8 bytes, inside
            // the data area, checked by next_message) and inside `out`'s
            // MAX_PAYLOAD / 8 words (len <= MAX_PAYLOAD); src is 8-aligned.
            out.words[i] = unsafe { src.add(i * 8).cast::<u64>().read() };
        }
        Ok(true)
    }

    /// Reads the next message as a `T` (for rings that carry one message
    /// type); a message of another kind or size is an error.
    ///
    /// What a consumer does most is inline: the read of a record the cached
    /// head already shows, and the look at the head when it shows none (the
    /// poll of a consumer waiting on an empty ring, and its wake-up when a
    /// record arrives). The rest (padding, records of several messages,
    /// garbled records, another kind) is out of line.
    #[inline(always)]
    pub fn read_message<T: RingMessage>(&mut self) -> Result<Option<T>, RingError> {
        if let Some(message) = self.read_expected::<T>() {
            return Ok(Some(message));
        }
        if self.tail == self.head_cache {
            let head = self.ring.atomic64(OFF_HEAD).load(Ordering::Acquire);
            if head == self.tail {
                return Ok(None);
            }
            if let Some(message) = self.read_announced::<T>(head) {
                return Ok(Some(message));
            }
            // A head that passes the general path's checks is cached, and a
            // record that has just arrived is read by the fast path; any
            // other head is left to the general path, which reports it.
            if self.head_in_range(head) {
                self.head_cache = head;
                if let Some(message) = self.read_expected::<T>() {
                    return Ok(Some(message));
                }
            }
        }
        self.read_message_general()
    }

    /// [`RingConsumer::read_message`] with every check: padding, kind and
    /// size, a head or record out of range; and the messages of a record
    /// of several.
    #[inline(never)]
    fn read_message_general<T: RingMessage>(&mut self) -> Result<Option<T>, RingError> {
        let Some((kind, len, src)) = self.next_message()? else {
            return Ok(None);
        };
        if kind != T::KIND || len != std::mem::size_of::<T>() {
            return Err(self.corrupt("record of an unexpected kind or size"));
        }
        // SAFETY: the record holds size_of::<T>() bytes inside the data area
        // (checked by next_message); T is Pod, so any bytes are a valid T and
        // an unaligned read is allowed.
        Ok(Some(unsafe { src.cast::<T>().read_unaligned() }))
    }

    /// The fast path of [`RingConsumer::read_message`]: when the cached head
    /// says a record is there and its whole header word is the one a `T`
    /// carries alone (its length and kind, `more` zero), one compare and one
    /// bounds check stand for the general validation. Anything else
    /// (empty cache, padding, another kind, a garbled header) is left to
    /// the general path, which reports it.
    #[inline(always)]
    fn read_expected<T: RingMessage>(&mut self) -> Option<T> {
        let size = record_len(std::mem::size_of::<T>()) as u64;
        let expected = header_word(std::mem::size_of::<T>() as u32, T::KIND, 0);
        let capacity = self.ring.capacity as u64;
        let offset = self.tail & (capacity - 1);
        let room = (capacity - offset).min(self.head_cache.wrapping_sub(self.tail));
        if size > room {
            return None;
        }
        let at = self.ring.data().wrapping_add(offset as usize);
        // SAFETY: offset is 8-aligned and < capacity, and room >= size > 8, so
        // the 8 header bytes at it lie inside the data area, below the
        // published head (acquired when head_cache was loaded).
        let header = u64::from_le(unsafe { at.cast::<u64>().read() });
        if header != expected {
            return None;
        }
        self.tail += size;
        // SAFETY: the record's size_of::<T>() payload bytes follow its header
        // inside the data area (size <= room); T is Pod, so any bytes are a
        // valid T and an unaligned read is allowed.
        Some(unsafe { at.add(RECORD_HEADER_LEN).cast::<T>().read_unaligned() })
    }

    /// The wake-up of [`RingConsumer::read_message`]: the consumer has read
    /// everything before `head`, just loaded, and the publish that moved it
    /// there announced one record of a `T` ending at it, which is therefore
    /// the whole of what is new. The checks use the head's line alone (the
    /// announcement, the distance to the head, the record inside the data
    /// area); the record's line is read for the payload only.
    #[inline(always)]
    fn read_announced<T: RingMessage>(&mut self, head: u64) -> Option<T> {
        let len = std::mem::size_of::<T>();
        let size = record_len(len) as u64;
        let capacity = self.ring.capacity as u64;
        let offset = self.tail & (capacity - 1);
        let announced = self.ring.atomic64(OFF_LAST).load(Ordering::Relaxed);
        // The head is cached below, so it must pass the check every cached
        // head passes (`head_in_range`: it also refuses a misaligned tail).
        if announced != announcement(head, record_tag(T::KIND, len))
            || head.wrapping_sub(self.tail) != size
            || size > capacity - offset
            || !self.head_in_range(head)
        {
            return None;
        }
        self.head_cache = head;
        self.tail = head;
        // SAFETY: the record [offset, offset + size) lies inside the data
        // area (size <= capacity - offset) and below the head acquired by
        // the caller; its payload is the size_of::<T>() bytes after the
        // 8-byte header. T is Pod, so any bytes are a valid T and an
        // unaligned read is allowed.
        Some(unsafe {
            self.ring
                .data()
                .add(offset as usize + RECORD_HEADER_LEN)
                .cast::<T>()
                .read_unaligned()
        })
    }

    /// Reads up to `max` messages of type `T` in order, calling `each` with
    /// each, then releases their space with one store: the number read (0
    /// when the ring is empty). A record of another kind or size, or a
    /// corrupt one, is an error, reported after the messages before it
    /// have been given to `each` and released.
    ///
    /// The batched form of [`RingConsumer::recv`]: the records the cached
    /// head shows before the end of the data area are read with the
    /// indexes in registers, each checked by its header word (one compare
    /// for a record of one `T`, a multiply and a compare for a record of
    /// several, taken whole when `max` allows); anything else goes through
    /// [`RingConsumer::read_message`].
    #[inline]
    pub fn recv_batch<T: RingMessage>(
        &mut self,
        max: usize,
        mut each: impl FnMut(T),
    ) -> Result<usize, RingError> {
        let len = std::mem::size_of::<T>();
        let size = record_len(len);
        let single = header_word(len as u32, T::KIND, 0);
        // Whether records of several `T` can be valid (see the module doc).
        let shareable = len != 0 && len % RECORD_ALIGN == 0;
        let capacity = self.ring.capacity as u64;
        let data = self.ring.data();
        let mut read = 0;
        while read < max {
            if self.batch.left != 0 {
                // The rest of a record of several, begun by a smaller read.
                if self.batch.kind == T::KIND && self.batch.len as usize == len {
                    let k = (self.batch.left as usize).min(max - read);
                    for _ in 0..k {
                        let (_, _, at) = self.next_of_batch();
                        // SAFETY: a message of the record being read: len
                        // bytes inside the data area (checked when its
                        // header was read); T is Pod, so any bytes are a
                        // valid T and an unaligned read is allowed.
                        each(unsafe { at.cast::<T>().read_unaligned() });
                    }
                    read += k;
                    continue;
                }
            } else {
                let offset = self.tail & (capacity - 1);
                let room =
                    (capacity - offset).min(self.head_cache.wrapping_sub(self.tail)) as usize;
                let at = data.wrapping_add(offset as usize);
                // Bytes of whole records taken from `at`.
                let mut taken = 0;
                while taken + size <= room && read < max {
                    let record = at.wrapping_add(taken);
                    // SAFETY: the header lies inside the data area and below
                    // the published head (taken + size <= room; the head was
                    // acquired when head_cache was loaded); offset and every
                    // record's size are multiples of 8, so the read is
                    // aligned.
                    let header = u64::from_le(unsafe { record.cast::<u64>().read() });
                    if header == single {
                        // SAFETY: as above, the record's len payload bytes
                        // follow its header; T is Pod, so any bytes are a
                        // valid T and an unaligned read is allowed.
                        each(unsafe { record.add(RECORD_HEADER_LEN).cast::<T>().read_unaligned() });
                        taken += size;
                        read += 1;
                        continue;
                    }
                    // A record of several `T`, taken whole if it fits
                    // under the head and under `max`.
                    let more = (header >> 48) as usize;
                    let n = more + 1;
                    let record_size = RECORD_HEADER_LEN + n * len;
                    if !shareable
                        || header != header_word((n * len) as u32, T::KIND, more as u16)
                        || n > max - read
                        || record_size > room - taken
                    {
                        break;
                    }
                    for i in 0..n {
                        // SAFETY: message i lies inside the record, which
                        // lies inside the data area and below the head
                        // (record_size <= room - taken); T is Pod, so any
                        // bytes are a valid T and an unaligned read is
                        // allowed.
                        each(unsafe {
                            record
                                .add(RECORD_HEADER_LEN + i * len)
                                .cast::<T>()
                                .read_unaligned()
                        });
                    }
                    taken += record_size;
                    read += n;
                }
                self.tail += taken as u64;
                if read == max {
                    break;
                }
            }
            // Past the cached head or the end of the data area, or a record
            // this loop does not take: the one-record path reloads the
            // head, skips padding and reports anything garbled.
            let delivered = self.tail;
            match self.read_message::<T>() {
                Ok(Some(message)) => {
                    each(message);
                    read += 1;
                }
                Ok(None) => break,
                Err(e) => {
                    // Give back what was delivered, not the record at fault.
                    self.release_to(delivered);
                    return Err(e);
                }
            }
        }
        self.release();
        Ok(read)
    }

    /// Receives one message and releases its space at once (a record of
    /// several messages: once its last is read).
    #[inline]
    pub fn recv<T: RingMessage>(&mut self) -> Result<Option<T>, RingError> {
        let got = self.read_message()?;
        if got.is_some() {
            self.release();
        }
        Ok(got)
    }

    /// Gives the space of every record read so far back to the producer (a
    /// record of several messages counts as read once its last is).
    #[inline]
    pub fn release(&mut self) {
        self.release_to(self.tail);
    }

    /// Gives back the space up to `tail` (at most the read position).
    #[inline]
    fn release_to(&mut self, tail: u64) {
        if tail != self.released_tail {
            self.ring.atomic64(OFF_TAIL).store(tail, Ordering::Release);
            self.released_tail = tail;
        }
    }

    /// Reads one message and releases its space at once (as [`Self::recv`]).
    #[inline]
    pub fn try_pop(&mut self, out: &mut RecordBuf) -> Result<bool, RingError> {
        let got = self.read(out)?;
        if got {
            self.release();
        }
        Ok(got)
    }

    /// Reads up to `max` messages, calling `f` for each, then releases them
    /// all with one store. Returns how many were read.
    pub fn drain(
        &mut self,
        max: usize,
        buf: &mut RecordBuf,
        mut f: impl FnMut(&RecordBuf),
    ) -> Result<usize, RingError> {
        let mut n = 0;
        while n < max {
            match self.read(buf) {
                Ok(true) => {
                    f(buf);
                    n += 1;
                }
                Ok(false) => break,
                Err(e) => {
                    self.release();
                    return Err(e);
                }
            }
        }
        self.release();
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Small enough under Miri (`scripts/miri`), which checks the unsafe
    /// record copies and the release/acquire protocol between the two
    /// sides for undefined behaviour and data races, over many wraps.
    #[test]
    fn threads_exchange_records_of_every_length_across_many_wraps() {
        let records: u32 = if cfg!(miri) { 600 } else { 200_000 };
        let ring = Ring::in_memory("wraps", 4096);
        let mut p = ring.clone().producer_unclaimed();
        let mut c = ring.consumer_unclaimed();
        let payload = |i: u32| -> Vec<u8> {
            (0..(i % 97) as usize)
                .map(|k| (i as usize + k) as u8)
                .collect()
        };
        let producer = std::thread::spawn(move || {
            for i in 0..records {
                let bytes = payload(i);
                while p.try_push(1 + (i % 5) as u16, &bytes).is_err() {
                    std::thread::yield_now();
                }
            }
        });
        let mut buf = RecordBuf::default();
        for i in 0..records {
            while !c.try_pop(&mut buf).unwrap() {
                std::thread::yield_now();
            }
            assert_eq!(buf.kind, 1 + (i % 5) as u16, "record {i}");
            assert_eq!(buf.payload(), &payload(i)[..], "record {i}");
        }
        producer.join().unwrap();
        assert!(!c.try_pop(&mut buf).unwrap());
    }

    #[test]
    fn typed_messages_round_trip_across_wraps_and_a_record_of_another_kind_is_refused() {
        use crate::ipc::ring_messages::Heartbeat;
        let ring = Ring::in_memory("typed", 4096);
        let mut p = ring.clone().producer_unclaimed();
        let mut c = ring.consumer_unclaimed();
        // 24-byte records: 4096 is not a multiple, so the writes wrap behind
        // padding records at shifting places.
        for sequence in 0..5_000u64 {
            p.send(&Heartbeat {
                sent_unix_ns: sequence * 3,
                sequence,
            })
            .unwrap();
            if sequence % 7 == 6 {
                for s in sequence - 6..=sequence {
                    let got = c.recv::<Heartbeat>().unwrap().expect("a heartbeat");
                    assert_eq!((got.sequence, got.sent_unix_ns), (s, s * 3));
                }
            }
        }
        while c.recv::<Heartbeat>().unwrap().is_some() {}
        assert_eq!(c.recv::<Heartbeat>().unwrap(), None);
        p.try_push(9, &[1, 2, 3]).unwrap();
        assert!(matches!(
            c.recv::<Heartbeat>(),
            Err(RingError::Corrupt { reason, .. }) if reason.contains("unexpected kind")
        ));
    }

    #[test]
    fn a_misaligned_tail_is_reported_as_corruption_and_never_read() {
        let ring = Ring::in_memory("misaligned", 4096);
        let mut p = ring.clone().producer_unclaimed();
        p.try_push(1, &[0; 40]).unwrap();
        ring.atomic64(OFF_TAIL).store(3, Ordering::Release);
        let mut c = ring.consumer_unclaimed();
        let mut buf = RecordBuf::default();
        assert!(matches!(
            c.try_pop(&mut buf),
            Err(RingError::Corrupt { reason, .. }) if reason.contains("tail")
        ));
        assert!(c.recv::<crate::ipc::ring_messages::Heartbeat>().is_err());
    }

    #[test]
    fn a_publish_announces_its_last_record_when_it_is_one_message() {
        use crate::ipc::ring_messages::Heartbeat;
        let ring = Ring::in_memory("announce", 4096);
        let mut p = ring.clone().producer_unclaimed();
        let last = |r: &Ring| r.atomic64(OFF_LAST).load(Ordering::Acquire);
        p.send(&Heartbeat::default()).unwrap();
        let tag = record_tag(Heartbeat::KIND, std::mem::size_of::<Heartbeat>());
        assert_eq!(last(&ring), announcement(24, tag));
        p.try_push(9, &[1; 5]).unwrap();
        assert_eq!(last(&ring), announcement(24 + 16, record_tag(9, 5)));
        // A record of several messages is not announced.
        p.send_batch(&[Heartbeat::default(); 3]).unwrap();
        assert_eq!(last(&ring), announcement(40 + 56, 0));
        // Nor is padding: a record that does not fit before the end of the
        // data area follows a padding record, and the record is announced.
        let mut c = ring.clone().consumer_unclaimed();
        let mut buf = RecordBuf::default();
        while c.try_pop(&mut buf).unwrap() {}
        let mut filled = 96;
        while filled + 24 <= 4096 - 16 {
            p.send(&Heartbeat::default()).unwrap();
            filled += 24;
            assert!(c.recv::<Heartbeat>().unwrap().is_some());
        }
        p.send(&Heartbeat::default()).unwrap();
        assert_eq!(
            last(&ring),
            announcement(4096 + 24, tag),
            "padding to the end, then the record at offset 0"
        );
        assert!(c.recv::<Heartbeat>().unwrap().is_some());
    }

    /// The consumer takes a record's framing from the announcement only
    /// when it names the head just loaded, the type expected, and a record
    /// inside the ring; otherwise it reads the record's own header (here
    /// garbled, so the read reports corruption).
    #[test]
    fn an_announcement_frames_a_record_only_for_the_head_it_came_with() {
        use crate::ipc::ring_messages::Heartbeat;
        let message = Heartbeat {
            sent_unix_ns: 7,
            sequence: 8,
        };
        let tag = record_tag(Heartbeat::KIND, std::mem::size_of::<Heartbeat>());
        for (case, announced, expect_read) in [
            ("intact", announcement(24, tag), true),
            ("another head", announcement(24 + 8, tag), false),
            (
                "another kind",
                announcement(24, record_tag(Heartbeat::KIND + 1, 16)),
                false,
            ),
            (
                "another length",
                announcement(24, record_tag(Heartbeat::KIND, 24)),
                false,
            ),
            ("none", 0, false),
        ] {
            let ring = Ring::in_memory("framing", 4096);
            let mut p = ring.clone().producer_unclaimed();
            p.send(&message).unwrap();
            // SAFETY: test-only write of the record's header word, inside
            // our own in-memory ring's data area.
            unsafe { ring.data().cast::<u64>().write(u64::MAX) };
            ring.atomic64(OFF_LAST).store(announced, Ordering::Release);
            let mut c = ring.consumer_unclaimed();
            let got = c.recv::<Heartbeat>();
            if expect_read {
                assert_eq!(got.unwrap(), Some(message), "{case}");
            } else {
                assert!(
                    matches!(got, Err(RingError::Corrupt { .. })),
                    "{case}: {got:?}"
                );
            }
        }
    }

    #[test]
    fn an_announced_record_that_would_run_past_the_ring_or_from_a_misaligned_tail_is_not_read() {
        use crate::ipc::ring_messages::Heartbeat;
        let tag = record_tag(Heartbeat::KIND, std::mem::size_of::<Heartbeat>());
        for (tail, case) in [(4096 - 16, "past the end"), (4096 - 29, "misaligned")] {
            let ring = Ring::in_memory("edge", 4096);
            let head = tail + 24;
            ring.atomic64(OFF_TAIL).store(tail, Ordering::Release);
            ring.atomic64(OFF_LAST)
                .store(announcement(head, tag), Ordering::Release);
            ring.atomic64(OFF_HEAD).store(head, Ordering::Release);
            let mut c = ring.consumer_unclaimed();
            let got = c.recv::<Heartbeat>();
            assert!(
                matches!(got, Err(RingError::Corrupt { .. })),
                "{case}: {got:?}"
            );
        }
    }

    #[test]
    fn batches_of_every_size_cross_wraps_in_order_between_threads() {
        use crate::ipc::ring_messages::Heartbeat;
        // Batches of 1-40 messages of 16 bytes, each one record of 8 + 16n
        // bytes: records end at padding in shifting places.
        let total: u64 = if cfg!(miri) { 600 } else { 200_000 };
        let ring = Ring::in_memory("batches", 4096);
        let mut p = ring.clone().producer_unclaimed();
        let mut c = ring.consumer_unclaimed();
        let producer = std::thread::spawn(move || {
            let mut next = 0u64;
            while next < total {
                let n = (next % 40 + 1).min(total - next);
                let batch: Vec<Heartbeat> = (next..next + n)
                    .map(|sequence| Heartbeat {
                        sent_unix_ns: sequence * 3,
                        sequence,
                    })
                    .collect();
                let mut done = 0;
                while done < batch.len() {
                    done += p.send_batch(&batch[done..]).unwrap();
                    std::hint::spin_loop();
                }
                next += n;
            }
        });
        // Reads of 1-37 messages, and every fifth read one message through
        // the one-message path, so records of several messages are left
        // part-read by one reader and finished by the other.
        let mut expected = 0u64;
        let mut reads = 0u64;
        while expected < total {
            reads += 1;
            if reads % 5 == 0 {
                if let Some(m) = c.recv::<Heartbeat>().unwrap() {
                    assert_eq!((m.sequence, m.sent_unix_ns), (expected, expected * 3));
                    expected += 1;
                }
                continue;
            }
            let max = (expected % 37 + 1) as usize;
            let n = c
                .recv_batch::<Heartbeat>(max, |m| {
                    assert_eq!((m.sequence, m.sent_unix_ns), (expected, expected * 3));
                    expected += 1;
                })
                .unwrap();
            assert!(n <= max);
        }
        producer.join().unwrap();
        assert_eq!(
            c.recv_batch::<Heartbeat>(10, |_| panic!("empty")).unwrap(),
            0
        );
    }

    #[test]
    fn a_batch_fills_the_ring_as_one_record_whose_space_returns_when_its_last_message_is_read() {
        use crate::ipc::ring_messages::Heartbeat;
        let ring = Ring::in_memory("full", 4096);
        let mut p = ring.clone().producer_unclaimed();
        let mut c = ring.consumer_unclaimed();
        let batch: Vec<Heartbeat> = (0..300)
            .map(|sequence| Heartbeat {
                sent_unix_ns: 0,
                sequence,
            })
            .collect();
        // One record: its 8-byte header and 255 messages of 16 bytes fill
        // 4,088 of the 4,096 bytes, and a padding record the last 8 (too
        // few for a message; the rest will go at the start).
        assert_eq!(p.send_batch(&batch).unwrap(), 255);
        assert_eq!(c.ring().used_bytes(), 4096);
        assert_eq!(p.send_batch(&batch[255..]).unwrap(), 0, "full");
        let mut seen = Vec::new();
        assert_eq!(
            c.recv_batch::<Heartbeat>(100, |m| seen.push(m.sequence))
                .unwrap(),
            100
        );
        // The record is still being read: none of its space is back.
        assert_eq!(c.ring().used_bytes(), 4096);
        assert_eq!(p.send_batch(&batch[255..]).unwrap(), 0, "still full");
        let n = c
            .recv_batch::<Heartbeat>(1_000, |m| seen.push(m.sequence))
            .unwrap();
        assert_eq!(n, 155);
        assert_eq!(c.ring().used_bytes(), 0);
        // The rest goes at the start, in one record.
        assert_eq!(p.send_batch(&batch[255..]).unwrap(), 45);
        assert_eq!(c.ring().used_bytes(), 8 + 45 * 16);
        let n = c
            .recv_batch::<Heartbeat>(1_000, |m| seen.push(m.sequence))
            .unwrap();
        assert_eq!(n, 45);
        assert_eq!(seen, (0..300).collect::<Vec<_>>());
    }

    #[test]
    fn a_batch_is_written_as_records_of_at_most_the_largest_payload() {
        use crate::ipc::ring_messages::Heartbeat;
        let ring = Ring::in_memory("split", 1 << 16);
        let mut p = ring.clone().producer_unclaimed();
        let mut c = ring.consumer_unclaimed();
        let batch: Vec<Heartbeat> = (0..600)
            .map(|sequence| Heartbeat {
                sent_unix_ns: sequence + 1,
                sequence,
            })
            .collect();
        assert_eq!(p.send_batch(&batch).unwrap(), 600);
        // 4,096 / 16 = 256 messages a record: 256, 256 and 88.
        assert_eq!(c.ring().used_bytes(), 3 * 8 + 600 * 16);
        // Every reader sees messages, one at a time: the general one, the
        // typed one, and drains.
        let mut buf = RecordBuf::default();
        for sequence in 0..600u64 {
            let got = match sequence % 3 {
                0 => {
                    assert!(c.try_pop(&mut buf).unwrap());
                    assert_eq!(buf.kind, <Heartbeat as RingMessage>::KIND);
                    Heartbeat::from_payload(buf.payload()).expect("a heartbeat's length")
                }
                1 => c.recv::<Heartbeat>().unwrap().expect("a heartbeat"),
                _ => {
                    let mut got = None;
                    assert_eq!(
                        c.drain(1, &mut buf, |b| got = Heartbeat::from_payload(b.payload()))
                            .unwrap(),
                        1
                    );
                    got.expect("a heartbeat's length")
                }
            };
            assert_eq!((got.sequence, got.sent_unix_ns), (sequence, sequence + 1));
        }
        assert!(!c.try_pop(&mut buf).unwrap());
        assert_eq!(c.ring().used_bytes(), 0);
    }

    #[test]
    fn messages_whose_size_is_not_a_multiple_of_8_are_batched_one_record_each() {
        #[repr(C)]
        #[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
        struct Twelve([u8; 12]);
        impl RingMessage for Twelve {
            const KIND: u16 = 7;
        }
        let ring = Ring::in_memory("twelve", 4096);
        let mut p = ring.clone().producer_unclaimed();
        let mut c = ring.consumer_unclaimed();
        let batch: Vec<Twelve> = (0..5u8).map(|i| Twelve([i; 12])).collect();
        assert_eq!(p.send_batch(&batch).unwrap(), 5);
        // Five records of 8 + 12 bytes, each padded to 24.
        assert_eq!(c.ring().used_bytes(), 5 * 24);
        let mut seen = Vec::new();
        assert_eq!(c.recv_batch::<Twelve>(10, |m| seen.push(m)).unwrap(), 5);
        assert_eq!(seen, batch);
    }

    #[test]
    fn a_record_whose_length_is_not_its_message_count_times_a_multiple_of_8_is_corrupt() {
        use crate::ipc::ring_messages::Heartbeat;
        for (len, more) in [(40, 1), (40, 2), (48, 3), (0, 3)] {
            let ring = Ring::in_memory("uneven", 4096);
            let mut p = ring.clone().producer_unclaimed();
            p.try_push(4, &[0; 48]).unwrap();
            // SAFETY: test-only write of the record's header, inside the
            // data area of our own ring.
            unsafe { write_header(ring.data(), len, 4, more) };
            let mut c = ring.clone().consumer_unclaimed();
            let err = c.try_pop(&mut RecordBuf::default()).unwrap_err();
            assert!(
                matches!(err, RingError::Corrupt { reason, .. } if reason.contains("message count")),
                "{len} bytes, {more} more: {err}"
            );
            let mut c = ring.consumer_unclaimed();
            assert!(c.recv_batch::<Heartbeat>(8, |_| {}).is_err());
        }
    }

    #[test]
    fn a_batch_read_delivers_the_messages_before_a_foreign_record_then_reports_it() {
        use crate::ipc::ring_messages::Heartbeat;
        let ring = Ring::in_memory("foreign", 4096);
        let mut p = ring.clone().producer_unclaimed();
        let mut c = ring.consumer_unclaimed();
        let beat = |sequence| Heartbeat {
            sent_unix_ns: 0,
            sequence,
        };
        assert_eq!(p.send_batch(&[beat(1), beat(2)]).unwrap(), 2);
        p.try_push(9, &[1, 2, 3]).unwrap();
        p.send(&beat(3)).unwrap();
        let mut seen = Vec::new();
        let got = c.recv_batch::<Heartbeat>(10, |m| seen.push(m.sequence));
        assert!(matches!(
            got,
            Err(RingError::Corrupt { reason, .. }) if reason.contains("unexpected kind")
        ));
        assert_eq!(seen, [1, 2]);
        // The two delivered records were released; the foreign record
        // (16 bytes) and the heartbeat after it (24) are still there.
        assert_eq!(c.ring().used_bytes(), 16 + 24);
    }

    #[test]
    fn a_tail_beyond_the_head_from_a_misbehaving_consumer_reads_as_a_full_ring() {
        use crate::ipc::ring_messages::Heartbeat;
        let ring = Ring::in_memory("liar", 4096);
        let mut p = ring.clone().producer_unclaimed();
        let beat = Heartbeat {
            sent_unix_ns: 0,
            sequence: 1,
        };
        // Fill the ring so the producer must reload the tail, then garble it.
        while p.send_batch(&[beat]).unwrap() == 1 {}
        ring.atomic64(OFF_TAIL)
            .store(u64::MAX / 2, Ordering::Release);
        assert_eq!(p.send_batch(&[beat; 4]).unwrap(), 0);
        assert_eq!(p.send(&beat), Err(PushError::Full));
        assert_eq!(p.free_bytes(), 0);
    }

    #[test]
    fn records_round_trip_in_order() {
        let ring = Ring::in_memory("t", 4096);
        let mut p = ring.clone().producer_unclaimed();
        let mut c = ring.consumer_unclaimed();
        let mut buf = RecordBuf::default();
        for i in 0..10u8 {
            p.try_push(1 + u16::from(i % 3), &vec![i; usize::from(i)])
                .unwrap();
        }
        for i in 0..10u8 {
            assert!(c.try_pop(&mut buf).unwrap());
            assert_eq!(buf.kind, 1 + u16::from(i % 3));
            assert_eq!(buf.payload(), &vec![i; usize::from(i)][..]);
        }
        assert!(!c.try_pop(&mut buf).unwrap());
    }

    #[test]
    fn a_full_ring_refuses_then_accepts_after_consumption() {
        let ring = Ring::in_memory("t", 4096);
        let mut p = ring.clone().producer_unclaimed();
        let mut c = ring.consumer_unclaimed();
        let payload = [7u8; 56]; // 64-byte records: 64 fit
        for _ in 0..64 {
            p.try_push(2, &payload).unwrap();
        }
        assert_eq!(p.try_push(2, &payload), Err(PushError::Full));
        let mut buf = RecordBuf::default();
        assert!(c.try_pop(&mut buf).unwrap());
        p.try_push(2, &payload).unwrap();
    }

    #[test]
    fn records_that_do_not_fit_before_the_end_wrap_behind_padding() {
        let ring = Ring::in_memory("t", 4096);
        let mut p = ring.clone().producer_unclaimed();
        let mut c = ring.consumer_unclaimed();
        let mut buf = RecordBuf::default();
        let mut next_expected = 0u32;
        let mut next_sent = 0u32;
        // Odd sizes force padding at many different offsets.
        for round in 0..2_000usize {
            let len = 4 + (round * 37) % 300;
            let mut payload = vec![0u8; len];
            payload[..4].copy_from_slice(&next_sent.to_le_bytes());
            if p.try_push(5, &payload).is_ok() {
                next_sent += 1;
            }
            if round % 3 == 0 {
                while c.try_pop(&mut buf).unwrap() {
                    let got = u32::from_le_bytes(buf.payload()[..4].try_into().unwrap());
                    assert_eq!(got, next_expected);
                    next_expected += 1;
                }
            }
        }
        assert!(next_sent > 1_000);
    }

    #[test]
    fn reserved_kind_and_oversized_payloads_are_refused() {
        let ring = Ring::in_memory("t", 4096);
        let mut p = ring.producer_unclaimed();
        assert_eq!(p.try_push(0, &[1]), Err(PushError::ReservedKind));
        assert_eq!(
            p.try_push(1, &vec![0; MAX_PAYLOAD + 1]),
            Err(PushError::TooLarge(MAX_PAYLOAD + 1))
        );
    }

    #[test]
    fn garbled_record_lengths_are_reported_as_corruption() {
        let ring = Ring::in_memory("t", 4096);
        let mut p = ring.clone().producer_unclaimed();
        p.try_push(3, &[1; 16]).unwrap();
        // Overwrite the record's length with garbage, as a buggy producer might.
        // SAFETY: test-only write inside the data area of our own ring.
        unsafe { write_header(ring.data(), 100_000, 3, 0) };
        let mut c = ring.consumer_unclaimed();
        let err = c.try_pop(&mut RecordBuf::default()).unwrap_err();
        assert!(matches!(err, RingError::Corrupt { .. }), "{err}");
    }

    #[test]
    fn batched_writes_are_invisible_until_published() {
        let ring = Ring::in_memory("t", 4096);
        let mut p = ring.clone().producer_unclaimed();
        let mut c = ring.consumer_unclaimed();
        let mut buf = RecordBuf::default();
        p.write(1, &[1]).unwrap();
        p.write(1, &[2]).unwrap();
        assert!(!c.try_pop(&mut buf).unwrap());
        p.publish();
        assert_eq!(c.drain(10, &mut buf, |_| {}).unwrap(), 2);
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "a million records: the wraps test covers this under Miri"
    )]
    fn two_threads_move_a_million_records_in_order() {
        let ring = Ring::in_memory("t", 1 << 16);
        let mut p = ring.clone().producer_unclaimed();
        let mut c = ring.consumer_unclaimed();
        const N: u64 = 1_000_000;
        let t = std::thread::spawn(move || {
            for i in 0..N {
                while p.try_push(1, &i.to_le_bytes()).is_err() {
                    std::hint::spin_loop();
                }
            }
        });
        let mut buf = RecordBuf::default();
        let mut expect = 0u64;
        while expect < N {
            if c.try_pop(&mut buf).unwrap() {
                assert_eq!(buf.payload(), &expect.to_le_bytes());
                expect += 1;
            }
        }
        t.join().unwrap();
    }
}

#[cfg(test)]
mod ping_pong_tests {
    use super::*;

    #[test]
    fn two_rings_ping_pong_between_threads() {
        let (to_b, to_a) = (
            Ring::in_memory("ping", 1 << 16),
            Ring::in_memory("pong", 1 << 16),
        );
        let (mut ap, mut bc) = (to_b.clone().producer_unclaimed(), to_b.consumer_unclaimed());
        let (mut bp, mut ac) = (to_a.clone().producer_unclaimed(), to_a.consumer_unclaimed());
        const N: u64 = if cfg!(miri) { 300 } else { 20_000 };
        let t = std::thread::spawn(move || {
            let mut buf = RecordBuf::default();
            for _ in 0..N {
                while !bc.try_pop(&mut buf).unwrap() {
                    std::hint::spin_loop();
                }
                while bp.try_push(1, buf.payload()).is_err() {
                    std::hint::spin_loop();
                }
            }
        });
        let mut buf = RecordBuf::default();
        for i in 0..N {
            ap.try_push(1, &i.to_le_bytes()).unwrap();
            let mut spins = 0u64;
            while !ac.try_pop(&mut buf).unwrap() {
                spins += 1;
                assert!(
                    spins < 1_000_000_000,
                    "stuck at {i}: ping head {} tail {}, pong head {} tail {}",
                    ap.ring().atomic64(OFF_HEAD).load(Ordering::Relaxed),
                    ap.ring().atomic64(OFF_TAIL).load(Ordering::Relaxed),
                    ac.ring().atomic64(OFF_HEAD).load(Ordering::Relaxed),
                    ac.ring().atomic64(OFF_TAIL).load(Ordering::Relaxed)
                );
            }
            assert_eq!(buf.payload(), &i.to_le_bytes());
        }
        t.join().unwrap();
    }
}

// Ring files on disk: Miri has no file system or mmap (run natively only).
#[cfg(all(test, not(miri)))]
mod validation_tests {
    use super::*;
    use proptest::prelude::*;

    fn temp_ring(capacity: usize) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.ring");
        Ring::create(&path, "r", capacity).unwrap();
        (dir, path)
    }

    fn patch(path: &Path, offset: usize, bytes: &[u8]) {
        let mut data = std::fs::read(path).unwrap();
        data[offset..offset + bytes.len()].copy_from_slice(bytes);
        std::fs::write(path, data).unwrap();
    }

    #[test]
    fn ring_files_are_created_mode_0600() {
        use std::os::unix::fs::PermissionsExt;
        let (_d, path) = temp_ring(4096);
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    #[test]
    fn wrong_magic_version_and_size_are_refused_with_clear_errors() {
        let (_d, path) = temp_ring(4096);
        patch(&path, OFF_MAGIC, b"NOTARING");
        let e = Ring::open(&path).err().unwrap().to_string();
        assert!(e.contains("not a Breakwater ring"), "{e}");

        let (_d, path) = temp_ring(4096);
        patch(&path, OFF_VERSION, &99u32.to_le_bytes());
        let e = Ring::open(&path).err().unwrap().to_string();
        assert!(e.contains("ring version 99"), "{e}");

        let (_d, path) = temp_ring(4096);
        patch(&path, OFF_CAPACITY, &8192u64.to_le_bytes());
        let e = Ring::open(&path).err().unwrap().to_string();
        assert!(e.contains("capacity 8192"), "{e}");

        let (_d, path) = temp_ring(4096);
        let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        f.set_len(100).unwrap();
        let e = Ring::open(&path).err().unwrap().to_string();
        assert!(e.contains("at least 512"), "{e}");
    }

    #[test]
    fn creating_over_an_existing_ring_is_refused() {
        let (_d, path) = temp_ring(4096);
        assert!(Ring::create(&path, "r", 4096).is_err());
    }

    #[test]
    fn a_second_live_consumer_is_refused() {
        let (_d, path) = temp_ring(4096);
        let ring = Ring::open(&path).unwrap();
        // Claim as a live process other than this one (the parent of the
        // test runner), as a running appliance would hold it.
        ring.atomic32(OFF_CONSUMER_PID)
            .store(std::os::unix::process::parent_id(), Ordering::Release);
        let e = Ring::open(&path)
            .unwrap()
            .consumer()
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("already has a live consumer"), "{e}");
        // A dead owner's claim is taken over.
        ring.atomic32(OFF_CONSUMER_PID)
            .store(i32::MAX as u32 - 7, Ordering::Release);
        assert!(Ring::open(&path).unwrap().consumer().is_ok());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3_000))]

        /// Whatever a producer leaves in the ring (garbage records, indices
        /// anywhere), the consumer never reads outside it and never panics:
        /// every read is a record inside the ring or a corruption error.
        #[test]
        fn fuzzed_ring_contents_never_crash_the_consumer(
            data in proptest::collection::vec(any::<u8>(), 4096),
            head in any::<u64>(),
            tail in any::<u64>(),
            align_head in any::<bool>(),
            align_tail in proptest::bool::weighted(0.9),
            typed in any::<bool>(),
            planted_words in proptest::collection::vec((0usize..512, 0u16..5, 0u32..3), 0..64),
            last in any::<u64>(),
            announce in 0u8..3,
        ) {
            let ring = Ring::in_memory("fuzz", 4096);
            let mut data = data;
            // Heartbeat headers at random places, so the typed fast paths
            // meet real-looking records amid the garbage: one message or
            // several (`more`), their length right or a few bytes off.
            for (w, more, off) in planted_words {
                let len = std::mem::size_of::<crate::ipc::ring_messages::Heartbeat>() as u32
                    * (u32::from(more) + 1)
                    + 4 * off;
                let header = header_word(
                    len,
                    <crate::ipc::ring_messages::Heartbeat as RingMessage>::KIND,
                    more,
                );
                data[w * 8..w * 8 + 8].copy_from_slice(&header.to_le_bytes());
            }
            // SAFETY: test-only writes into our own in-memory ring's data area.
            unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), ring.data(), 4096) };
            let tail = if align_tail { tail & !7 } else { tail };
            let head = if align_head { tail.wrapping_add(head % 4097) & !7 } else { head };
            // The announcement beside the head: garbage, or a heartbeat
            // ending at the head (the consumer's announced path), the head
            // then one heartbeat record after the tail or anywhere.
            let heartbeat = std::mem::size_of::<crate::ipc::ring_messages::Heartbeat>();
            let head = if announce == 2 { tail.wrapping_add(record_len(heartbeat) as u64) } else { head };
            let last = if announce == 0 {
                last
            } else {
                announcement(head, record_tag(<crate::ipc::ring_messages::Heartbeat as RingMessage>::KIND, heartbeat))
            };
            ring.atomic64(OFF_LAST).store(last, Ordering::Release);
            ring.atomic64(OFF_HEAD).store(head, Ordering::Release);
            ring.atomic64(OFF_TAIL).store(tail, Ordering::Release);
            let mut c = ring.consumer_unclaimed();
            let mut buf = RecordBuf::default();
            // Every reader: the general one, and in turn with it the typed
            // one (whose fast path checks a whole header word at once) and
            // the typed batch (runs of records under the cached head).
            for i in 0..600 {
                let reader = if typed { i % 3 } else { 0 };
                let read = match reader {
                    1 => c.recv::<crate::ipc::ring_messages::Heartbeat>().map(|m| m.is_some()),
                    2 => c
                        .recv_batch::<crate::ipc::ring_messages::Heartbeat>(1 + i % 7, |_| {})
                        .map(|n| n > 0),
                    _ => c.try_pop(&mut buf),
                };
                match read {
                    Ok(true) if reader != 0 => {}
                    Ok(true) => prop_assert!(buf.payload().len() <= MAX_PAYLOAD && buf.kind != KIND_PADDING),
                    Ok(false) => break,
                    Err(RingError::Corrupt { .. }) => break,
                    Err(e) => prop_assert!(false, "unexpected error {e}"),
                }
            }
        }
    }
}
