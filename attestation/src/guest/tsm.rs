//! configfs-tsm (`/sys/kernel/config/tsm/report`): the kernel's interface for SNP extended
//! reports. An entry directory holds `inblob` (report_data), `privlevel` (VMPL), `provider`,
//! `generation`, `outblob` (the report) and `auxblob` (the cert table).

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::GuestError;

/// Where the kernel exposes configfs-tsm reports.
pub const TSM_REPORT_ROOT: &str = "/sys/kernel/config/tsm/report";
/// The provider name of the SEV-SNP guest driver.
const SEV_PROVIDER: &str = "sev_guest";

/// One report request directory.
#[derive(Debug)]
pub struct TsmEntry {
    dir: PathBuf,
    created: bool,
}

impl TsmEntry {
    /// Make a fresh entry under `root` (the kernel populates it).
    pub fn create(root: &Path) -> Result<TsmEntry, GuestError> {
        static SEQUENCE: AtomicU64 = AtomicU64::new(0);
        let name = format!("redoubt-{}-{}", std::process::id(), SEQUENCE.fetch_add(1, Ordering::Relaxed));
        let dir = root.join(name);
        fs::create_dir(&dir).map_err(|e| tsm_error(&dir, e))?;
        Ok(TsmEntry { dir, created: true })
    }

    /// Use an existing entry directory (kept when dropped).
    pub fn open(dir: &Path) -> TsmEntry {
        TsmEntry { dir: dir.to_owned(), created: false }
    }

    /// Request a report: write `privlevel` and `inblob`; returns the `generation` to check on read.
    pub fn request(&self, report_data: &[u8; 64], vmpl: u32) -> Result<u64, GuestError> {
        self.write("privlevel", vmpl.to_string().as_bytes())?;
        self.write("inblob", report_data)?;
        self.generation()
    }

    /// Read the report and cert table; fails if another writer changed the request meanwhile
    /// (`generation` moved) or the provider is not the SEV-SNP guest driver.
    pub fn read(&self, generation: u64) -> Result<(Vec<u8>, Vec<u8>), GuestError> {
        let provider = self.read_file("provider")?;
        if String::from_utf8_lossy(&provider).trim() != SEV_PROVIDER {
            return Err(GuestError::Tsm(format!(
                "{}: provider is {:?}, not {SEV_PROVIDER}",
                self.dir.display(),
                String::from_utf8_lossy(&provider).trim()
            )));
        }
        let report = self.read_file("outblob")?;
        let certs = self.read_file("auxblob")?;
        let now = self.generation()?;
        if now != generation {
            return Err(GuestError::Tsm(format!(
                "{}: generation moved from {generation} to {now}: a concurrent request interfered",
                self.dir.display()
            )));
        }
        Ok((report, certs))
    }

    fn generation(&self) -> Result<u64, GuestError> {
        let text = self.read_file("generation")?;
        String::from_utf8_lossy(&text)
            .trim()
            .parse()
            .map_err(|_| GuestError::Tsm(format!("{}: generation is not a number", self.dir.display())))
    }

    fn write(&self, name: &str, data: &[u8]) -> Result<(), GuestError> {
        let path = self.dir.join(name);
        fs::write(&path, data).map_err(|e| tsm_error(&path, e))
    }

    fn read_file(&self, name: &str) -> Result<Vec<u8>, GuestError> {
        let path = self.dir.join(name);
        fs::read(&path).map_err(|e| tsm_error(&path, e))
    }
}

impl Drop for TsmEntry {
    fn drop(&mut self) {
        if self.created {
            // configfs removes the entry's attributes with the directory; failure leaves a stale entry only.
            let _ = fs::remove_dir(&self.dir);
        }
    }
}

fn tsm_error(path: &Path, e: std::io::Error) -> GuestError {
    GuestError::Tsm(format!("{}: {e}", path.display()))
}

/// Get an extended report through configfs-tsm under `root`: (report, raw cert table).
pub fn tsm_ext_report(root: &Path, report_data: &[u8; 64], vmpl: u32) -> Result<(Vec<u8>, Vec<u8>), GuestError> {
    let entry = TsmEntry::create(root)?;
    let generation = entry.request(report_data, vmpl)?;
    entry.read(generation)
}
