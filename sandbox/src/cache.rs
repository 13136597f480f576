//! The compiled-component cache, keyed by code hash: in memory, and on disk
//! under the data dir.
//!
//! A disk entry is only ever deserialized (which maps native code) after it
//! has been authenticated: an HMAC-SHA256 under a key that lives beside the
//! cache (mode 0600) covers a header naming the engine build and settings and
//! the code hash, and the compiled bytes. A corrupt, truncated, foreign or
//! stale file fails that check and the component is compiled again.

use crate::package::Sha256Hash;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use wasmtime::Engine;
use wasmtime::component::Component;

type HmacSha256 = Hmac<Sha256>;

const MAGIC: &[u8; 8] = b"RDBTCWC\x01";
const KEY_FILE: &str = "cache.key";
const HEADER_LEN: usize = MAGIC.len() + 32 + 32 + 8;
const MAC_LEN: usize = 32;

/// Where a loaded component came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheSource {
    /// Already compiled in this process.
    Memory,
    /// Read from an authenticated disk entry.
    Disk,
    /// Compiled now; no usable entry existed.
    Compiled,
    /// Compiled now because the disk entry was rejected, for this reason.
    Recompiled(String),
}

/// Counters of the cache's activity since it was opened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Loads served from memory.
    pub memory_hits: u64,
    /// Loads served from disk.
    pub disk_hits: u64,
    /// Components compiled.
    pub compiles: u64,
    /// Disk entries rejected (corrupt, truncated, foreign or stale).
    pub rejected: u64,
}

#[derive(Default)]
struct Counters {
    memory_hits: AtomicU64,
    disk_hits: AtomicU64,
    compiles: AtomicU64,
    rejected: AtomicU64,
}

/// Compiled components by code hash.
pub struct ComponentCache {
    engine: Engine,
    disk: Option<DiskCache>,
    memory: Mutex<HashMap<Sha256Hash, Component>>,
    counters: Counters,
}

struct DiskCache {
    dir: PathBuf,
    key: [u8; 32],
    engine_fingerprint: [u8; 32],
}

impl ComponentCache {
    /// A cache for `engine`, on disk under `dir` when given (created if missing).
    pub fn new(engine: Engine, dir: Option<&Path>) -> std::io::Result<Self> {
        let disk = match dir {
            Some(dir) => Some(DiskCache::open(dir, &engine)?),
            None => None,
        };
        Ok(ComponentCache { engine, disk, memory: Mutex::default(), counters: Counters::default() })
    }

    /// The compiled component for `bytes` (whose SHA-256 is `hash`), from memory,
    /// from disk, or compiled now.
    pub fn get_or_compile(&self, hash: Sha256Hash, bytes: &[u8]) -> wasmtime::Result<(Component, CacheSource)> {
        if let Some(component) = self.memory().get(&hash) {
            self.counters.memory_hits.fetch_add(1, Ordering::Relaxed);
            return Ok((component.clone(), CacheSource::Memory));
        }
        let mut source = CacheSource::Compiled;
        let mut component = None;
        if let Some(disk) = &self.disk {
            match disk.load(&self.engine, hash) {
                Ok(Some(found)) => {
                    self.counters.disk_hits.fetch_add(1, Ordering::Relaxed);
                    component = Some(found);
                    source = CacheSource::Disk;
                }
                Ok(None) => {}
                Err(reason) => {
                    tracing::warn!(code_hash = %hash, %reason, "rejected a compiled-component cache entry; recompiling");
                    self.counters.rejected.fetch_add(1, Ordering::Relaxed);
                    source = CacheSource::Recompiled(reason);
                }
            }
        }
        let component = match component {
            Some(component) => component,
            None => {
                let compiled = Component::new(&self.engine, bytes)?;
                self.counters.compiles.fetch_add(1, Ordering::Relaxed);
                if let Some(disk) = &self.disk
                    && let Err(error) = disk.store(hash, &compiled)
                {
                    tracing::warn!(code_hash = %hash, %error, "could not write the compiled-component cache");
                }
                compiled
            }
        };
        self.memory().insert(hash, component.clone());
        Ok((component, source))
    }

    /// Drops the in-memory entries (the disk entries stay).
    pub fn clear_memory(&self) {
        self.memory().clear();
    }

    /// Activity counters.
    pub fn stats(&self) -> CacheStats {
        let c = &self.counters;
        CacheStats {
            memory_hits: c.memory_hits.load(Ordering::Relaxed),
            disk_hits: c.disk_hits.load(Ordering::Relaxed),
            compiles: c.compiles.load(Ordering::Relaxed),
            rejected: c.rejected.load(Ordering::Relaxed),
        }
    }

    /// The disk file that holds (or would hold) the entry for `hash`.
    pub fn entry_path(&self, hash: Sha256Hash) -> Option<PathBuf> {
        self.disk.as_ref().map(|d| d.path(hash))
    }

    fn memory(&self) -> std::sync::MutexGuard<'_, HashMap<Sha256Hash, Component>> {
        self.memory.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl DiskCache {
    fn open(dir: &Path, engine: &Engine) -> std::io::Result<Self> {
        fs::create_dir_all(dir)?;
        Ok(DiskCache {
            dir: dir.to_owned(),
            key: load_or_create_key(&dir.join(KEY_FILE))?,
            engine_fingerprint: engine_fingerprint(engine),
        })
    }

    fn path(&self, hash: Sha256Hash) -> PathBuf {
        self.dir.join(format!("{hash}.cwasm"))
    }

    fn mac(&self) -> HmacSha256 {
        HmacSha256::new_from_slice(&self.key).expect("HMAC takes keys of any length")
    }

    fn header(&self, hash: Sha256Hash, payload_len: usize) -> Vec<u8> {
        let mut header = Vec::with_capacity(HEADER_LEN);
        header.extend_from_slice(MAGIC);
        header.extend_from_slice(&self.engine_fingerprint);
        header.extend_from_slice(&hash.0);
        header.extend_from_slice(&(payload_len as u64).to_le_bytes());
        header
    }

    /// `Ok(None)`: no entry. `Err(reason)`: an entry exists but is not ours to trust.
    fn load(&self, engine: &Engine, hash: Sha256Hash) -> Result<Option<Component>, String> {
        let bytes = match fs::read(self.path(hash)) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("unreadable: {e}")),
        };
        if bytes.len() < HEADER_LEN + MAC_LEN {
            return Err("truncated".into());
        }
        let (signed, tag) = bytes.split_at(bytes.len() - MAC_LEN);
        let mut mac = self.mac();
        mac.update(signed);
        mac.verify_slice(tag).map_err(|_| "authentication failed (corrupt, tampered or foreign)".to_string())?;
        let (header, payload) = signed.split_at(HEADER_LEN);
        if header != self.header(hash, payload.len()).as_slice() {
            return Err("made by another engine build or settings, or for other code".into());
        }
        // SAFETY: the bytes were produced by `Component::serialize` on an engine
        // with this fingerprint and written by this cache: the HMAC under the
        // cache's private key proves it, and the header binds engine and code.
        let component = unsafe { Component::deserialize(engine, payload) }.map_err(|e| format!("not loadable: {e}"))?;
        Ok(Some(component))
    }

    fn store(&self, hash: Sha256Hash, component: &Component) -> wasmtime::Result<()> {
        let payload = component.serialize()?;
        let mut file_bytes = self.header(hash, payload.len());
        file_bytes.extend_from_slice(&payload);
        let mut mac = self.mac();
        mac.update(&file_bytes);
        file_bytes.extend_from_slice(&mac.finalize().into_bytes());
        write_atomically(&self.path(hash), &file_bytes)?;
        Ok(())
    }
}

/// SHA-256 over wasmtime's own compatibility hash (version, target, settings).
fn engine_fingerprint(engine: &Engine) -> [u8; 32] {
    struct ShaHasher(Sha256);
    impl std::hash::Hasher for ShaHasher {
        fn write(&mut self, bytes: &[u8]) {
            self.0.update(bytes);
        }
        fn finish(&self) -> u64 {
            unreachable!("only the SHA-256 state is read")
        }
    }
    let mut hasher = ShaHasher(Sha256::new());
    std::hash::Hash::hash(&engine.precompile_compatibility_hash(), &mut hasher);
    hasher.0.finalize().into()
}

/// Reads the cache key, or creates a random one (mode 0600) if there is none
/// or it is malformed (which only invalidates existing entries).
fn load_or_create_key(path: &Path) -> std::io::Result<[u8; 32]> {
    if let Ok(bytes) = fs::read(path)
        && let Ok(key) = <[u8; 32]>::try_from(bytes.as_slice())
    {
        return Ok(key);
    }
    let key: [u8; 32] = rand::random();
    write_atomically(path, &key)?;
    Ok(key)
}

/// Writes through a temporary file and a rename, so readers never see half a file.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension(format!("tmp{}", rand::random::<u32>()));
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp)?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all()).and_then(|()| fs::rename(&tmp, path));
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written
}
