//! The vault file on disk: size-capped reads, atomic replacement (temp file in the same directory,
//! write, fsync, rename, fsync directory; mode 0600), an advisory lock serialising writers across
//! processes, and the [`Version`] handle used to notice another process's write.

use crate::VaultError;
use crate::crypto::random_bytes;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// The largest vault file `open` reads (the format's own limits keep real vaults far smaller).
pub(crate) const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// One version of the vault file, as this process last read or wrote it: an open handle on that
/// file, and its identity when it was read. Every write replaces the file by rename, which drops
/// the replaced file's link count, so one `fstat` of the handle (no path lookup) tells whether the
/// version is still current.
#[derive(Debug)]
pub(crate) struct Version {
    file: File,
    stamp: Stamp,
}

/// What changes when a file is replaced, unlinked, linked or written in place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stamp {
    dev: u64,
    ino: u64,
    nlink: u64,
    len: u64,
    mtime_ns: i128,
}

impl Stamp {
    fn of(m: &std::fs::Metadata) -> Stamp {
        Stamp {
            dev: m.dev(),
            ino: m.ino(),
            nlink: m.nlink(),
            len: m.len(),
            mtime_ns: i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec()),
        }
    }
}

impl Version {
    fn of(file: File, path: &Path) -> Result<Version, VaultError> {
        let m = file.metadata().map_err(|e| VaultError::io("inspect", path, e))?;
        Ok(Version { stamp: Stamp::of(&m), file })
    }

    /// Whether the file at the path may no longer be this version: it was replaced or removed
    /// (its link count changed) or written in place (its length or modification time changed).
    pub(crate) fn outdated(&self, path: &Path) -> Result<bool, VaultError> {
        let m = self.file.metadata().map_err(|e| VaultError::io("inspect", path, e))?;
        Ok(Stamp::of(&m) != self.stamp)
    }
}

/// Whether a file exists at `path`.
pub(crate) fn exists(path: &Path) -> Result<bool, VaultError> {
    path.try_exists().map_err(|e| VaultError::io("inspect", path, e))
}

/// Reads the whole vault file, refusing one larger than [`MAX_FILE_BYTES`]; returns its bytes and
/// the version they came from.
pub(crate) fn read(path: &Path) -> Result<(Vec<u8>, Version), VaultError> {
    let file = File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => VaultError::Missing(path.to_path_buf()),
        _ => VaultError::io("open", path, e),
    })?;
    let mut bytes = Vec::new();
    (&file).take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| VaultError::io("read", path, e))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(VaultError::Corrupt {
            path: path.to_path_buf(),
            reason: format!("larger than {MAX_FILE_BYTES} bytes"),
        });
    }
    Ok((bytes, Version::of(file, path)?))
}

/// Replaces `path` with `bytes` atomically: after a crash at any moment `path` holds either the
/// old or the new content in full. The temporary file (mode 0600, in the same directory, so the
/// rename never crosses file systems) is named `.<file>.tmp-<pid>-<random>`; nothing reads it.
/// Returns the version written (the handle is the one that wrote it, now at `path`).
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<Version, VaultError> {
    let tmp = temp_path(path)?;
    let result = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(|e| VaultError::io("create", &tmp, e))?;
        file.write_all(bytes).map_err(|e| VaultError::io("write", &tmp, e))?;
        file.sync_all().map_err(|e| VaultError::io("sync", &tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| VaultError::io("rename", path, e))?;
        Ok(file)
    })();
    let file = match result {
        Ok(file) => file,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    fsync_parent(path)?;
    Version::of(file, path)
}

/// Flushes the directory entry of `path` (so a rename or create survives power loss).
pub(crate) fn fsync_parent(path: &Path) -> Result<(), VaultError> {
    let dir = parent(path);
    File::open(&dir).and_then(|d| d.sync_all()).map_err(|e| VaultError::io("sync directory", dir, e))
}

/// Removes temporary files left by writers that died mid-write. Call only under [`VaultLock`].
pub(crate) fn remove_stale_temps(path: &Path) -> Result<(), VaultError> {
    let prefix = format!(".{}.tmp-", file_name(path)?);
    let dir = parent(path);
    let entries = std::fs::read_dir(&dir).map_err(|e| VaultError::io("list", &dir, e))?;
    for entry in entries.flatten() {
        if entry.file_name().to_str().is_some_and(|n| n.starts_with(&prefix)) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    Ok(())
}

/// An exclusive advisory lock on `<vault>.lock`, held while a writer reads, decides and writes.
/// Released when dropped (or when the process dies).
pub(crate) struct VaultLock(File);

impl VaultLock {
    /// Blocks until the lock for the vault at `path` is held.
    pub(crate) fn acquire(path: &Path) -> Result<VaultLock, VaultError> {
        let lock_path = parent(path).join(format!("{}.lock", file_name(path)?));
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&lock_path)
            .map_err(|e| VaultError::io("open lock file", &lock_path, e))?;
        file.lock().map_err(|e| VaultError::io("lock", &lock_path, e))?;
        Ok(VaultLock(file))
    }
}

impl Drop for VaultLock {
    fn drop(&mut self) {
        // Closing the file would release the lock too; unlocking first makes the order explicit.
        let _ = self.0.unlock();
    }
}

fn temp_path(path: &Path) -> Result<PathBuf, VaultError> {
    let suffix = hex::encode(random_bytes::<8>()?);
    Ok(parent(path).join(format!(".{}.tmp-{}-{suffix}", file_name(path)?, std::process::id())))
}

fn parent(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn file_name(path: &Path) -> Result<&str, VaultError> {
    path.file_name().and_then(|n| n.to_str()).ok_or_else(|| VaultError::Corrupt {
        path: path.to_path_buf(),
        reason: "the vault path must end in a UTF-8 file name".to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn atomic_write_replaces_content_with_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.json");
        let v1 = write_atomic(&path, b"one").unwrap();
        assert!(!v1.outdated(&path).unwrap());
        let v2 = write_atomic(&path, b"two").unwrap();
        assert!(v1.outdated(&path).unwrap(), "a rename over the file outdates the version it replaced");
        assert!(!v2.outdated(&path).unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("v.json")], "no temp file left behind");
    }

    #[test]
    fn removing_or_linking_the_file_outdates_the_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.json");
        let version = write_atomic(&path, b"one").unwrap();
        std::fs::hard_link(&path, dir.path().join("copy")).unwrap();
        assert!(version.outdated(&path).unwrap());
        let (_, version) = read(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert!(version.outdated(&path).unwrap());
    }

    #[test]
    fn stale_temps_are_removed_and_others_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.json");
        std::fs::write(dir.path().join(".v.json.tmp-1-00"), b"partial").unwrap();
        std::fs::write(dir.path().join("other.txt"), b"keep").unwrap();
        remove_stale_temps(&path).unwrap();
        assert!(!dir.path().join(".v.json.tmp-1-00").exists());
        assert!(dir.path().join("other.txt").exists());
    }

    #[test]
    fn oversized_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big");
        let f = File::create(&path).unwrap();
        f.set_len(MAX_FILE_BYTES + 1).unwrap();
        assert!(matches!(read(&path), Err(VaultError::Corrupt { .. })));
        f.set_len(3).unwrap();
        let (bytes, version) = read(&path).unwrap();
        assert_eq!(bytes, [0; 3]);
        assert!(!version.outdated(&path).unwrap());
        f.set_len(4).unwrap();
        assert!(version.outdated(&path).unwrap(), "a write in place outdates the version");
        assert!(matches!(read(&dir.path().join("none")), Err(VaultError::Missing(_))));
    }
}
