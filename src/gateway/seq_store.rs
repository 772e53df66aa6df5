//! A FIX session's sequence numbers, kept in a memory-mapped file
//! (`<dir>/<sender>-<target>.seqnums`, mode 0600): the next number to send
//! and the next expected from the peer. Every update is a store into the
//! mapping, so the numbers survive the process dying (the page cache keeps
//! them) without a syscall per message.

use memmap2::MmapMut;
use std::fs::OpenOptions;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

const MAGIC: u64 = u64::from_le_bytes(*b"BWSEQ001");
const LEN: usize = 24;

pub struct SeqStore {
    map: MmapMut,
    path: PathBuf,
}

impl SeqStore {
    /// Opens (or creates, starting at 1 and 1) the store for a session.
    pub fn open(dir: &Path, sender: &str, target: &str) -> std::io::Result<Self> {
        for id in [sender, target] {
            let ok = !id.is_empty()
                && id.len() <= 64
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
            if !ok {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    format!("CompID {id:?}: use 1 to 64 letters, digits, '_', '.' or '-'"),
                ));
            }
        }
        std::fs::create_dir_all(dir)?;
        let path = dir.join(format!("{sender}-{target}.seqnums"));
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&path)?;
        if file.metadata()?.len() < LEN as u64 {
            file.set_len(LEN as u64)?;
        }
        // SAFETY: a file of our own, at least LEN bytes long, mapped by one
        // session at a time (the session owns it for its lifetime).
        let map = unsafe { MmapMut::map_mut(&file)? };
        let mut s = SeqStore { map, path };
        if s.read(0) != MAGIC {
            s.write(8, 1);
            s.write(16, 1);
            s.write(0, MAGIC);
        }
        Ok(s)
    }

    fn read(&self, at: usize) -> u64 {
        let mut b = [0u8; 8];
        b.copy_from_slice(&self.map[at..at + 8]);
        u64::from_le_bytes(b)
    }

    fn write(&mut self, at: usize, v: u64) {
        self.map[at..at + 8].copy_from_slice(&v.to_le_bytes());
    }

    pub fn next_sender_seq(&self) -> u64 {
        self.read(8)
    }

    pub fn next_target_seq(&self) -> u64 {
        self.read(16)
    }

    pub fn set_next_sender_seq(&mut self, v: u64) {
        self.write(8, v);
    }

    pub fn set_next_target_seq(&mut self, v: u64) {
        self.write(16, v);
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_start_at_one_and_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = SeqStore::open(dir.path(), "BW", "EXEC").unwrap();
        assert_eq!((s.next_sender_seq(), s.next_target_seq()), (1, 1));
        s.set_next_sender_seq(42);
        s.set_next_target_seq(17);
        drop(s);
        let s = SeqStore::open(dir.path(), "BW", "EXEC").unwrap();
        assert_eq!((s.next_sender_seq(), s.next_target_seq()), (42, 17));
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(s.path()).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    #[test]
    fn comp_ids_that_would_escape_the_folder_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        for bad in ["../x", "a/b", "", "x y"] {
            let err = SeqStore::open(dir.path(), bad, "EXEC").err().expect(bad);
            assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
        }
    }
}
