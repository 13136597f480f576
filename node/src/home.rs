//! Where the node keeps its data: `--home`, else `$REDOUBT_HOME`, else the XDG data dir.

use std::path::PathBuf;

/// The node's data directory as chosen by flag, environment or XDG default.
pub fn resolve(flag: Option<PathBuf>) -> PathBuf {
    if let Some(dir) = flag {
        return dir;
    }
    if let Some(dir) = std::env::var_os("REDOUBT_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(dir).join("redoubt");
    }
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
    home.join(".local/share/redoubt")
}

/// The compiled-component cache under a data directory.
pub fn component_cache(home: &std::path::Path) -> PathBuf {
    home.join("cache").join("components")
}
