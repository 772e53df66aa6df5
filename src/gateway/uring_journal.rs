//! The gateway's journal: lines appended to a file through the gateway's
//! io_uring, never blocking the event loop. Two buffers: one being written
//! by the kernel, one filling; a short write resubmits the rest.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

pub struct UringJournal {
    file: File,
    offset: u64,
    filling: Vec<u8>,
    writing: Vec<u8>,
    written: usize,
    in_flight: bool,
    pub lines: u64,
    pub bytes_written: u64,
}

impl UringJournal {
    /// Opens `path` for appending (created mode 0600).
    pub fn open(path: &Path) -> io::Result<Self> {
        let file = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(false)
            .mode(0o600)
            .open(path)?;
        let offset = file.metadata()?.len();
        Ok(UringJournal {
            file,
            offset,
            filling: Vec::with_capacity(64 * 1024),
            writing: Vec::with_capacity(64 * 1024),
            written: 0,
            in_flight: false,
            lines: 0,
            bytes_written: 0,
        })
    }

    pub fn push_line(&mut self, line: &str) {
        self.filling.extend_from_slice(line.as_bytes());
        self.filling.push(b'\n');
        self.lines += 1;
    }

    pub fn in_flight(&self) -> bool {
        self.in_flight
    }

    pub fn is_idle(&self) -> bool {
        !self.in_flight && self.filling.is_empty()
    }

    /// The next write to submit, if one is due and none is in flight:
    /// (fd, pointer, length, file offset). The buffer stays untouched until
    /// [`UringJournal::complete`].
    pub fn next_write(&mut self) -> Option<(i32, *const u8, u32, u64)> {
        if self.in_flight {
            return None;
        }
        if self.written == self.writing.len() {
            if self.filling.is_empty() {
                return None;
            }
            self.writing.clear();
            self.written = 0;
            std::mem::swap(&mut self.writing, &mut self.filling);
        }
        let rest = &self.writing[self.written..];
        let len = rest.len().min(u32::MAX as usize) as u32;
        self.in_flight = true;
        Some((self.file.as_raw_fd(), rest.as_ptr(), len, self.offset))
    }

    /// The kernel finished a write with result `res`.
    pub fn complete(&mut self, res: i32) -> io::Result<()> {
        self.in_flight = false;
        if res < 0 {
            return Err(io::Error::from_raw_os_error(-res));
        }
        let n = res as usize;
        self.written += n;
        self.offset += n as u64;
        self.bytes_written += n as u64;
        Ok(())
    }
}
