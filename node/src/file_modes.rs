//! Owner-only modes for everything under a node's home: directories 0700,
//! files 0600. New ones are made with these modes set explicitly (whatever the
//! umask); [`repair`] walks a tree and fixes anything a group or others could
//! use. Owner-only modes stricter than these (a 0400 key) are left alone.

use std::fs::{self, DirBuilder, OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The mode of every directory under the home.
pub const DIR_MODE: u32 = 0o700;
/// The mode of every file under the home.
pub const FILE_MODE: u32 = 0o600;
/// Bits that give a group or others any access.
const SHARED_BITS: u32 = 0o077;

/// Creates `dir` and any missing parents as 0700, unless it exists (an
/// existing one is [`repair`]'s to judge, and to report).
pub fn create_dir(dir: &Path) -> io::Result<()> {
    if fs::symlink_metadata(dir).is_ok() {
        return Ok(());
    }
    DirBuilder::new().recursive(true).mode(DIR_MODE).create(dir)?;
    fs::set_permissions(dir, Permissions::from_mode(DIR_MODE))
}

/// Creates `path` as an empty 0600 file unless it exists, so that a library
/// that opens it later (the database) finds it private.
pub fn create_file(path: &Path) -> io::Result<()> {
    match OpenOptions::new().write(true).create_new(true).mode(FILE_MODE).open(path) {
        Ok(file) => file.set_permissions(Permissions::from_mode(FILE_MODE)),
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(error) => Err(error),
    }
}

/// Writes a new 0600 file, refusing to replace one.
pub fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = OpenOptions::new().write(true).create_new(true).mode(FILE_MODE).open(path)?;
    file.set_permissions(Permissions::from_mode(FILE_MODE))?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// A mode [`repair`] changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repair {
    /// The file or directory.
    pub path: PathBuf,
    /// Its mode before (permission bits).
    pub was: u32,
    /// Its mode now.
    pub now: u32,
}

/// Walks `root` (never through a symbolic link: a link's target is not the
/// node's) and makes every directory 0700 and every other entry 0600 where a
/// group or others had any access. Returns what it changed.
pub fn repair(root: &Path) -> io::Result<Vec<Repair>> {
    let mut repairs = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(path) = pending.pop() {
        let meta = fs::symlink_metadata(&path)?;
        if meta.file_type().is_symlink() {
            continue;
        }
        let was = meta.permissions().mode() & 0o7777;
        let now = if meta.is_dir() { DIR_MODE } else { FILE_MODE };
        if was & SHARED_BITS != 0 {
            fs::set_permissions(&path, Permissions::from_mode(now))?;
            repairs.push(Repair { path: path.clone(), was, now });
        }
        if meta.is_dir() {
            for entry in fs::read_dir(&path)? {
                pending.push(entry?.path());
            }
        }
    }
    Ok(repairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::symlink_metadata(path).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn shared_modes_are_repaired_and_links_are_not_followed() {
        let outside = tempfile::tempdir().unwrap();
        let target = outside.path().join("theirs");
        fs::write(&target, b"x").unwrap();
        fs::set_permissions(&target, Permissions::from_mode(0o644)).unwrap();

        let root = tempfile::tempdir().unwrap();
        let sub = root.path().join("cache");
        fs::create_dir(&sub).unwrap();
        let file = sub.join("entry");
        fs::write(&file, b"x").unwrap();
        let key = root.path().join("key");
        fs::write(&key, b"x").unwrap();
        fs::set_permissions(&key, Permissions::from_mode(0o400)).unwrap();
        std::os::unix::fs::symlink(&target, root.path().join("link")).unwrap();
        for (path, m) in [(root.path(), 0o755), (&sub, 0o750), (&file, 0o644)] {
            fs::set_permissions(path, Permissions::from_mode(m)).unwrap();
        }

        let repairs = repair(root.path()).unwrap();
        let changed: Vec<_> = repairs.iter().map(|r| (r.path.clone(), r.was, r.now)).collect();
        assert_eq!(changed.len(), 3, "{changed:?}");
        assert!(changed.contains(&(file.clone(), 0o644, 0o600)), "{changed:?}");
        assert_eq!((mode(root.path()), mode(&sub), mode(&file)), (0o700, 0o700, 0o600));
        assert_eq!(mode(&key), 0o400, "a stricter owner-only mode is kept");
        assert_eq!(mode(&target), 0o644, "a link's target is not touched");
        assert!(repair(root.path()).unwrap().is_empty(), "a second pass has nothing to do");
    }

    #[test]
    fn new_files_and_directories_are_private_and_existing_ones_untouched() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b");
        create_dir(&dir).unwrap();
        assert_eq!((mode(&root.path().join("a")), mode(&dir)), (0o700, 0o700));
        let file = dir.join("db");
        create_file(&file).unwrap();
        assert_eq!(mode(&file), 0o600);
        let token = dir.join("token");
        write_new(&token, b"t").unwrap();
        assert_eq!(mode(&token), 0o600);
        assert!(write_new(&token, b"again").is_err(), "never replaces a file");
        assert_eq!(fs::read(&token).unwrap(), b"t");
        fs::set_permissions(&token, Permissions::from_mode(0o644)).unwrap();
        create_file(&token).unwrap();
        assert_eq!((fs::read(&token).unwrap(), mode(&token)), (b"t".to_vec(), 0o644), "left to repair");
    }
}
