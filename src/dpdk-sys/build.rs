//! Finds the system DPDK with pkg-config, compiles the C shim that gives real
//! symbols to DPDK's static-inline fast-path functions, and runs bindgen over
//! an allowlist of the EAL, ethdev, mbuf and mempool APIs.

use std::env;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=shim/shim.c");
    println!("cargo:rerun-if-changed=shim/shim.h");
    println!("cargo:rerun-if-changed=build.rs");

    let dpdk = pkg_config::Config::new()
        .atleast_version("22.11")
        .probe("libdpdk")
        .unwrap_or_else(|e| {
            panic!(
                "DPDK >= 22.11 not found by pkg-config ({e}). Install it with `scripts/setup` \
                 (Debian package libdpdk-dev)."
            )
        });

    // The shim is compiled with the flags DPDK's pkg-config file asks for:
    // `-include rte_config.h` and the -march baseline DPDK was built for.
    let mut shim = cc::Build::new();
    shim.file("shim/shim.c").opt_level(3).warnings(false);
    for path in &dpdk.include_paths {
        shim.include(path);
    }
    shim.flag("-include").flag("rte_config.h");
    // DPDK's headers need at least SSE4.2 on x86; use the same baseline as the library.
    if cfg!(target_arch = "x86_64") {
        shim.flag("-march=corei7");
    }
    shim.compile("breakwater_dpdk_shim");

    // DPDK's PMDs are plugins that dlopen() back into the EAL: link the whole
    // library set without --as-needed so every symbol a plugin needs is there.
    println!("cargo:rustc-link-arg=-Wl,--no-as-needed");
    for lib in &dpdk.libs {
        println!("cargo:rustc-link-lib=dylib={lib}");
    }
    println!("cargo:rustc-link-arg=-Wl,--as-needed");

    let mut builder = bindgen::Builder::default()
        .header("shim/shim.h")
        .clang_arg("-include")
        .clang_arg("rte_config.h")
        .allowlist_function("rte_eal_.*")
        .allowlist_function("rte_eth_.*")
        .allowlist_function("rte_pktmbuf_.*")
        .allowlist_function("rte_mempool_.*")
        .allowlist_function("rte_lcore_.*")
        .allowlist_function("rte_eal_hotplug_.*")
        .allowlist_function("rte_openlog_stream")
        .allowlist_function("rte_log_set_global_level")
        .allowlist_function("rte_socket_id")
        .allowlist_function("rte_get_tsc_hz")
        .allowlist_function("bw_.*")
        .allowlist_type("rte_eth_conf")
        .allowlist_type("rte_eth_dev_info")
        .allowlist_type("rte_eth_stats")
        .allowlist_var("RTE_ETH_.*")
        .allowlist_var("RTE_MBUF_.*")
        .allowlist_var("RTE_MAX_ETHPORTS")
        // C enums stay plain integer constants so that a zeroed rte_eth_conf is valid Rust.
        .default_enum_style(bindgen::EnumVariation::Consts)
        .layout_tests(false)
        .derive_default(true)
        .generate_comments(false);
    for path in &dpdk.include_paths {
        builder = builder.clang_arg(format!("-I{}", path.display()));
    }
    if cfg!(target_arch = "x86_64") {
        builder = builder.clang_arg("-march=corei7");
    }
    let bindings = builder
        .generate()
        .expect("bindgen failed over the DPDK headers");
    let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR is set by cargo"));
    bindings
        .write_to_file(out.join("bindings.rs"))
        .expect("writing bindings.rs");
}
