//! Tells `http::spa` where `web/dist` is, as an absolute path without `..`.
//!
//! rust-embed's debug mode reads the folder at run time but checks every file against the folder
//! path it canonicalised at compile time. When `web/dist` did not exist yet at compile time (a clean
//! clone builds the binary before the web app), that path kept its `..` and no file ever matched, so
//! the binary served the "not built" page forever. A path with no `..` needs no canonicalising.

use std::path::PathBuf;

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let workspace = manifest_dir
        .join("../..")
        .canonicalize()
        .unwrap_or_else(|err| panic!("cannot resolve the workspace root: {err}"));
    let dist = workspace.join("web").join("dist");
    println!("cargo:rustc-env=PMO_WEB_DIST={}", dist.display());
    println!("cargo:rerun-if-changed=build.rs");
    // `sqlx::migrate!` embeds the migrations but cannot ask to be rebuilt when one is added.
    println!(
        "cargo:rerun-if-changed={}",
        workspace.join("migrations").display()
    );
    // Release builds embed the files, so a new web build must rebuild the binary; debug builds read
    // them from disk and need no rebuild.
    if std::env::var("PROFILE").as_deref() == Ok("release") {
        println!("cargo:rerun-if-changed={}", dist.display());
    }
}
