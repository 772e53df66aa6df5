//! The shared-memory folder: `/dev/shm/breakwater/` unless
//! `BREAKWATER_SHM_DIR` names another. Created mode 0700; files in it 0600.

use std::path::PathBuf;

pub const DEFAULT_SHM_DIR: &str = "/dev/shm/breakwater";
pub const SHM_DIR_ENV: &str = "BREAKWATER_SHM_DIR";

pub fn shm_dir() -> PathBuf {
    std::env::var_os(SHM_DIR_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_SHM_DIR))
}

/// Creates the folder (mode 0700) if needed.
pub fn ensure_shm_dir() -> std::io::Result<PathBuf> {
    use std::os::unix::fs::DirBuilderExt;
    let dir = shm_dir();
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)?;
    Ok(dir)
}

/// A name usable as a file name part: 1 to 32 of `[A-Za-z0-9_-]`.
pub fn validate_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 32
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "invalid name {name:?}: use 1 to 32 letters, digits, '_' or '-'"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_restricted_to_safe_file_name_characters() {
        assert!(validate_name("momentum-1").is_ok());
        assert!(validate_name("").is_err());
        assert!(validate_name("../etc").is_err());
        assert!(validate_name(&"x".repeat(33)).is_err());
    }
}
