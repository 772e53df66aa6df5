use breakwater::cli::decode_command::{self, DecodeOptions, Source};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Breakwater: kernel-bypass pre-trade risk and smart order routing.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Decode captures: MoldUDP64 packets, ITCH messages per type, gaps, errors.
    Decode {
        /// Where frames come from.
        #[arg(long, value_enum, default_value = "dpdk")]
        source: Source,
        /// One JSON object per file, each on its own line.
        #[arg(long)]
        json: bool,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let result = match cli.command {
        Command::Decode {
            source,
            json,
            files,
        } => decode_command::run(
            &DecodeOptions {
                source,
                json,
                files,
            },
            &mut out,
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("breakwater: {e:#}");
            ExitCode::FAILURE
        }
    }
}
