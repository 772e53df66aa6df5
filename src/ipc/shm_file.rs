//! A shared-memory file mapped read-write: created mode 0600 with a fixed
//! size, or opened and checked for that size.

use memmap2::MmapMut;
use std::fs::OpenOptions;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ShmError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} does not exist (is the appliance running?)")]
    Missing { path: PathBuf },
    #[error("{path}: {what}")]
    Invalid { path: PathBuf, what: String },
}

pub struct ShmFile {
    pub map: MmapMut,
    pub path: PathBuf,
}

impl ShmFile {
    /// Creates `path` (mode 0600), sized `len` bytes and zero-filled. Fails
    /// if it already exists.
    pub fn create_new(path: &Path, len: usize) -> Result<Self, ShmError> {
        let io = |source| ShmError::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(io)?;
        file.set_len(len as u64).map_err(io)?;
        // SAFETY: the file was just created by us with the mapped length; other
        // processes share it only through the atomics and the ring protocol,
        // which never assume exclusive access to the bytes.
        let map = unsafe { MmapMut::map_mut(&file) }.map_err(io)?;
        Ok(ShmFile {
            map,
            path: path.to_path_buf(),
        })
    }

    /// Opens an existing file and maps it whole; its size must be at least
    /// `min_len`.
    pub fn open(path: &Path, min_len: usize) -> Result<Self, ShmError> {
        let file = match OpenOptions::new().read(true).write(true).open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ShmError::Missing {
                    path: path.to_path_buf(),
                })
            }
            Err(source) => {
                return Err(ShmError::Io {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        let len = file
            .metadata()
            .map_err(|source| ShmError::Io {
                path: path.to_path_buf(),
                source,
            })?
            .len();
        if len < min_len as u64 {
            return Err(ShmError::Invalid {
                path: path.to_path_buf(),
                what: format!("size {len} bytes, at least {min_len} expected"),
            });
        }
        // SAFETY: as in create_new; the length was checked above, and every
        // reader validates headers before trusting offsets inside the map.
        let map = unsafe { MmapMut::map_mut(&file) }.map_err(|source| ShmError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(ShmFile {
            map,
            path: path.to_path_buf(),
        })
    }
}
