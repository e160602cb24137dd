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
