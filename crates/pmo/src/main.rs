//! `pmo`: parses the command line and reports failures as one line on stderr with a non-zero exit.

use clap::Parser;
use pmo::cli::{Cli, run};

/// jemalloc instead of glibc's malloc: a list page allocates thousands of small strings, and
/// glibc's allocator took ~45 % of the server's CPU serving them; its memory also stayed resident
/// after load (75 MiB idle after a few requests). jemalloc's background thread returns freed
/// memory to the system while the server idles (docs/BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // Without it, memory freed after a burst stays resident until the next allocations; a
    // failure only costs that, so it is not fatal.
    if let Err(err) = tikv_jemalloc_ctl::background_thread::write(true) {
        eprintln!("warning: jemalloc background thread not started: {err}");
    }
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            // The whole cause chain on one line: "what failed: why: root cause".
            let chain: Vec<String> = err.chain().map(ToString::to_string).collect();
            eprintln!("error: {}", chain.join(": "));
            std::process::ExitCode::FAILURE
        }
    }
}
