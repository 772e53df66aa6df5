//! Verilates `hdl/rtl` (top module `risk_check`) with the system Verilator
//! into a static library, and compiles the `extern "C"` shim around it, for
//! the co-simulation in `src/risk/hw_risk_check.rs`.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out =
        PathBuf::from(env::var("OUT_DIR").expect("set by cargo")).join("verilated_risk_check");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=hdl/rtl");
    println!("cargo:rerun-if-changed=hdl/shim");

    let mut rtl: Vec<PathBuf> = std::fs::read_dir(root.join("hdl/rtl"))
        .expect("hdl/rtl exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "v"))
        .collect();
    rtl.sort();
    for f in &rtl {
        println!("cargo:rerun-if-changed={}", f.display());
    }

    let verilator_root = verilator_root();
    let _ = std::fs::remove_dir_all(&out);
    let status = Command::new("verilator")
        .current_dir(&root) // RTL includes are relative to the repository root
        .args([
            "--cc",
            "--build",
            "-j",
            "2",
            "-O3",
            "--x-assign",
            "fast",
            "--x-initial",
            "fast",
            "--noassert",
            "--top-module",
            "risk_check",
            "-CFLAGS",
            "-fPIC -O2",
            "-Mdir",
        ])
        .arg(&out)
        .args(&rtl)
        .status()
        .unwrap_or_else(|e| {
            panic!("cannot run verilator ({e}); install it with scripts/setup (Debian package verilator 5.006)")
        });
    assert!(
        status.success(),
        "verilator failed to build hdl/rtl (see its output above)"
    );

    let include = verilator_root.join("include");
    cc::Build::new()
        .cpp(true)
        .file(root.join("hdl/shim/risk_check_shim.cpp"))
        // The Verilator runtime (the generated archive holds only the model).
        .file(include.join("verilated.cpp"))
        .file(include.join("verilated_threads.cpp"))
        .include(&out)
        .include(&include)
        .include(include.join("vltstd"))
        .flag("-std=c++17")
        .flag("-fPIC")
        .opt_level(2)
        .warnings(false)
        .compile("risk_check_shim");

    // Verilator names its archive without the `lib` prefix the linker wants.
    std::fs::copy(
        out.join("Vrisk_check__ALL.a"),
        out.join("libVrisk_check__ALL.a"),
    )
    .expect("verilator produced Vrisk_check__ALL.a");
    println!("cargo:rustc-link-search=native={}", out.display());
    println!("cargo:rustc-link-lib=static=Vrisk_check__ALL");
    println!("cargo:rustc-link-lib=dylib=stdc++");
    println!("cargo:rustc-link-lib=dylib=pthread");
}

fn verilator_root() -> PathBuf {
    let output = Command::new("verilator")
        .args(["--getenv", "VERILATOR_ROOT"])
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run verilator ({e}); install it with scripts/setup (Debian package verilator 5.006)")
        });
    let text = String::from_utf8_lossy(&output.stdout).trim().to_string();
    let path = Path::new(&text);
    assert!(
        path.join("include/verilated.h").exists(),
        "no verilated.h under VERILATOR_ROOT={text}"
    );
    path.to_path_buf()
}
