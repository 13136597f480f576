//! Reading a package directory's files without trusting the directory: only
//! regular files are read (a symbolic link, FIFO, socket, device or directory
//! is refused by its type before anything is opened), they are opened without
//! following links and without blocking, checked again once open, and read up
//! to a size cap.
//!
//! A package's file names are fixed (`manifest.toml`, `agent.wasm`) and carry
//! no separator, so with links refused a read never leaves the package.

use std::fs::{self, FileType, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

/// Largest `manifest.toml` read from a package directory, in bytes.
pub const MAX_MANIFEST_BYTES: u64 = 64 << 10;
/// Largest `agent.wasm` read from a package directory, in bytes (the
/// sandbox's own, usually smaller, cap applies when the package is loaded).
pub const MAX_COMPONENT_FILE_BYTES: u64 = 64 << 20;

/// A package file that was not read.
#[derive(Debug, thiserror::Error)]
pub enum PackageFileError {
    /// The file could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The path is not a regular file.
    #[error("{path} is {kind}, not a regular file: a package holds regular files only")]
    NotRegular {
        /// The file.
        path: String,
        /// What it is instead, e.g. `a symbolic link`.
        kind: &'static str,
    },
    /// The file is larger than its cap.
    #[error("{path} is larger than the cap of {cap} bytes")]
    TooLarge {
        /// The file.
        path: String,
        /// The cap, in bytes.
        cap: u64,
    },
}

/// Reads the regular file at `path` (never through a link, never blocking on
/// a FIFO), refusing it if it holds more than `cap` bytes.
pub fn read_regular(path: &Path, cap: u64) -> Result<Vec<u8>, PackageFileError> {
    let name = || path.display().to_string();
    let io = |source| PackageFileError::Io { path: name(), source };
    refuse_irregular(path, fs::symlink_metadata(path).map_err(io)?.file_type())?;
    // Checked again once open: the path may have been swapped since.
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)
        .map_err(io)?;
    let opened = file.metadata().map_err(io)?;
    refuse_irregular(path, opened.file_type())?;
    let too_large = || PackageFileError::TooLarge { path: name(), cap };
    if opened.len() > cap {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(opened.len() as usize);
    Read::take(file, cap + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > cap {
        return Err(too_large());
    }
    Ok(bytes)
}

/// Fails unless `kind` is a regular file.
fn refuse_irregular(path: &Path, kind: FileType) -> Result<(), PackageFileError> {
    if kind.is_file() {
        return Ok(());
    }
    let what = if kind.is_symlink() {
        "a symbolic link"
    } else if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_block_device() || kind.is_char_device() {
        "a device"
    } else {
        "not a file"
    };
    Err(PackageFileError::NotRegular { path: path.display().to_string(), kind: what })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regular_file_within_its_cap_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        fs::write(&path, b"12345").unwrap();
        assert_eq!(read_regular(&path, 5).unwrap(), b"12345");
        let err = read_regular(&path, 4).unwrap_err();
        assert!(matches!(err, PackageFileError::TooLarge { cap: 4, .. }), "{err}");
        assert!(err.to_string().contains("cap of 4 bytes"), "{err}");
    }

    #[test]
    fn links_directories_and_fifos_are_refused_by_type() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("secret");
        fs::write(&target, b"the secret").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        for (path, kind) in [(&link, "a symbolic link"), (&dir.path().to_path_buf(), "a directory"), (&fifo, "a FIFO")]
        {
            let err = read_regular(path, 1 << 20).unwrap_err();
            assert!(matches!(err, PackageFileError::NotRegular { kind: k, .. } if k == kind), "{err}");
            assert!(!err.to_string().contains("the secret"));
        }
    }
}
