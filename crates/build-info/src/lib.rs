//! The version and git commit of this build: `--version` of every binary and the
//! `qlosync_build_info{version,commit}` metric. The commit comes from `build.rs`; a build
//! without git and without `QLOSYNC_GIT_COMMIT` reports "unknown".

use std::sync::OnceLock;

/// The workspace version (`Cargo.toml`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The git commit (12 hex digits), or "unknown".
pub const COMMIT: &str = match option_env!("QLOSYNC_GIT_COMMIT") {
    Some(commit) => commit,
    None => "unknown",
};

/// What `--version` prints after the binary's name: "0.1.0 (commit 0123456789ab)".
pub fn long_version() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| format!("{VERSION} (commit {COMMIT})"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_version_names_the_commit() {
        assert!(super::long_version().contains("commit "));
        assert!(!super::COMMIT.is_empty());
    }
}
