//! `pmo`: parses the command line and reports failures as one line on stderr with a non-zero exit.

use clap::Parser;
use pmo::cli::{Cli, run};

/// mimalloc instead of glibc's malloc: a list page allocates thousands of small strings and map
/// nodes, and glibc's allocator took ~45 % of the server's CPU serving them (docs/BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
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
