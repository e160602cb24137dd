//! What a test needs from outside the repository: the shared captures (`../shared`), tshark,
//! real protocol peers. Each helper returns None/false with a printed "skipping: …" reason when
//! the thing is absent, so a fresh clone with only Rust installed passes every test; a test that
//! found its inputs still asserts that it compared something.

use std::path::{Path, PathBuf};
use std::process::Command;

/// `../shared/captures/<rel>` seen from the repository root, or None (with a printed reason)
/// when the shared folder is absent.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/captures")
        .join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipping: {} is absent", p.display());
        None
    }
}

/// A capture shipped in the repository's `captures/`.
pub fn project(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("captures")
        .join(rel)
}

/// True when tshark can be run (prints a reason when not).
pub fn have_tshark() -> bool {
    let ok = Command::new("tshark")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("skipping: tshark is not installed");
    }
    ok
}

/// True when `cmd` can be run (`cmd --version` or `cmd -h` starts); prints a reason when not.
pub fn have_command(cmd: &str) -> bool {
    let ok = ["--version", "-h"].iter().any(|flag| {
        Command::new(cmd)
            .arg(flag)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok()
    });
    if !ok {
        eprintln!("skipping: {cmd} is not installed");
    }
    ok
}

/// True when Python can import `module` (a real peer from PyPI or Debian); prints a reason
/// when not.
pub fn have_python_module(module: &str) -> bool {
    let ok = Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("skipping: python3 module {module} is not installed");
    }
    ok
}

/// A shared capture to compare with tshark: None, with the reason printed, when tshark or the
/// capture is absent.
pub fn shared_for_tshark(rel: &str) -> Option<PathBuf> {
    if !have_tshark() {
        return None;
    }
    shared(rel)
}

/// Whether `p` names a pcap or pcapng file.
pub fn is_capture(p: &Path) -> bool {
    matches!(
        p.extension().and_then(|e| e.to_str()),
        Some("pcap" | "pcapng")
    )
}

/// The captures directly in the shared folder `rel` whose names start with `prefix`, sorted;
/// none (with the reason printed) when the folder is absent.
pub fn shared_captures(rel: &str, prefix: &str) -> Vec<PathBuf> {
    let Some(dir) = shared(rel) else {
        return vec![];
    };
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("capture folder readable")
        .flatten()
        .map(|e| e.path())
        .filter(|p| is_capture(p))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix))
        })
        .collect();
    v.sort();
    v
}

/// Every capture below the folders `roots` (those that exist), at any depth, sorted.
pub fn captures_below(roots: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = vec![];
    let mut dirs = roots.to_vec();
    while let Some(d) = dirs.pop() {
        for p in std::fs::read_dir(&d)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
        {
            if p.is_dir() {
                dirs.push(p);
            } else if is_capture(&p) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Every capture of the repository's `captures/` and of `../shared/captures` (when present).
pub fn all_captures() -> Vec<PathBuf> {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/captures");
    captures_below(&[project(""), shared])
}
