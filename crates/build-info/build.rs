//! Records the git commit the binaries are built from as `QLOSYNC_GIT_COMMIT`.
//!
//! In order: the `QLOSYNC_GIT_COMMIT` environment variable (the Dockerfile passes it as a build
//! argument, since `.git` is not in the image's build context), else `git rev-parse` when the
//! sources are a git checkout, else nothing: the crate then reports "unknown".

use std::path::PathBuf;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?;
    Some(text.trim().to_owned()).filter(|t| !t.is_empty())
}

/// Rebuild when HEAD moves: HEAD itself, the branch it names, and packed-refs.
fn watch_git_head() {
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut paths = vec!["HEAD".to_owned(), "packed-refs".to_owned()];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        paths.push(branch);
    }
    for path in paths {
        if let Some(found) = git(&["rev-parse", "--git-path", &path]) {
            let found = PathBuf::from(found);
            let absolute = if found.is_absolute() {
                found
            } else {
                cwd.join(found)
            };
            if absolute.exists() {
                println!("cargo:rerun-if-changed={}", absolute.display());
            }
        }
    }
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=QLOSYNC_GIT_COMMIT");
    let given = std::env::var("QLOSYNC_GIT_COMMIT")
        .ok()
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty() && c != "unknown");
    let commit = given.or_else(|| {
        let commit = git(&["rev-parse", "--short=12", "HEAD"])?;
        watch_git_head();
        Some(commit)
    });
    if let Some(commit) = commit {
        println!("cargo:rustc-env=QLOSYNC_GIT_COMMIT={commit}");
    }
}
