use breakwater::cli::decode_command::{self, DecodeOptions, Source};
use breakwater::cli::{control_commands, replay_command, venue_check_command};
use breakwater::gateway::order_messages::Side;
use breakwater::risk::risk_engine::ChecksMode;
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
        /// One JSON object per file (or per message, or per symbol), each on its own line.
        #[arg(long)]
        json: bool,
        /// Print every ITCH message with every field.
        #[arg(long)]
        messages: bool,
        /// Build the order books and print each symbol's final BBO, depth and last trade.
        #[arg(long)]
        books: bool,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Replay a flash crash (or a capture) through the whole appliance.
    Replay {
        /// A capture to replay instead of the generated flash crash.
        #[arg(long)]
        capture: Option<PathBuf>,
        /// Symbols and risk limits (TOML); default: the scenario's.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Which implementation of the L1 hardware checks decides.
        #[arg(long, value_enum, default_value = "software")]
        checks: ChecksMode,
        /// Also write the journal as JSON lines to this file.
        #[arg(long)]
        journal: Option<PathBuf>,
        /// CPU core for the busy-poll loop (default: the last core).
        #[arg(long)]
        core: Option<usize>,
        /// List every decision, not only the defensive ones.
        #[arg(long)]
        all: bool,
        /// Replay the feed without the built-in strategy.
        #[arg(long)]
        no_strategy: bool,
        /// An external strategy process to create rings for and wait for (repeatable).
        #[arg(long = "strategy", value_name = "NAME")]
        strategies: Vec<String>,
        /// Seconds to wait for each external strategy to connect.
        #[arg(long, default_value_t = 30)]
        connect_timeout_s: u64,
    },
    /// Pre-open conformance check of a venue's FIX session: log on, send N
    /// small limit orders, cancel those still working, log out; exits 1 on
    /// any session-level problem.
    VenueCheck {
        /// The venue's FIX acceptor.
        #[arg(long, value_name = "HOST:PORT")]
        fix: String,
        /// Our SenderCompID.
        #[arg(long, value_name = "ID")]
        sender: String,
        /// The venue's CompID (TargetCompID).
        #[arg(long, value_name = "ID")]
        target: String,
        #[arg(long, default_value = "FIX.4.4", value_parser = ["FIX.4.2", "FIX.4.4"])]
        begin_string: String,
        #[arg(long, default_value_t = 100)]
        orders: u32,
        #[arg(long, default_value = "BWTEST")]
        symbol: String,
        #[arg(long, value_enum, default_value = "buy")]
        side: SideArg,
        /// Shares per order.
        #[arg(long, default_value_t = 100)]
        qty: u64,
        /// Limit price, a decimal.
        #[arg(long, default_value = "1.00")]
        price: String,
        /// Folder for the persisted sequence numbers (default: the shared-memory folder).
        #[arg(long)]
        store: Option<PathBuf>,
        /// Reset sequence numbers to 1 at logon (ResetSeqNumFlag).
        #[arg(long)]
        reset: bool,
        /// Seconds to wait for logon, for each answer and for logout.
        #[arg(long, default_value_t = 10)]
        timeout_s: u64,
        #[arg(long)]
        json: bool,
        /// Append the gateway's journal to this file.
        #[arg(long)]
        journal: Option<PathBuf>,
    },
    /// Engage the kill switch: cancel everything, block everything.
    Kill {
        #[arg(long, default_value = "manual kill")]
        reason: String,
    },
    /// Release the kill switch.
    Resume,
    /// Show the appliance's state.
    Status {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum SideArg {
    Buy,
    Sell,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let result = match cli.command {
        Command::Decode {
            source,
            json,
            messages,
            books,
            files,
        } => decode_command::run(
            &DecodeOptions {
                source,
                json,
                messages,
                books,
                files,
            },
            &mut out,
        ),
        Command::Replay {
            capture,
            config,
            checks,
            journal,
            core,
            all,
            no_strategy,
            strategies,
            connect_timeout_s,
        } => replay_command::run(
            &replay_command::ReplayOptions {
                capture,
                config,
                checks,
                journal,
                core,
                all,
                no_strategy,
                strategies,
                connect_timeout: std::time::Duration::from_secs(connect_timeout_s),
            },
            &mut out,
        ),
        Command::VenueCheck {
            fix,
            sender,
            target,
            begin_string,
            orders,
            symbol,
            side,
            qty,
            price,
            store,
            reset,
            timeout_s,
            json,
            journal,
        } => {
            let options = venue_check_command::VenueCheckOptions {
                fix,
                sender,
                target,
                begin_string,
                orders,
                symbol,
                side: match side {
                    SideArg::Buy => Side::Buy,
                    SideArg::Sell => Side::Sell,
                },
                qty,
                price,
                store,
                reset,
                timeout: std::time::Duration::from_secs(timeout_s),
                json,
                journal,
            };
            match venue_check_command::run(&options, &mut out) {
                Ok(true) => Ok(()),
                Ok(false) => return ExitCode::FAILURE,
                Err(e) => Err(e),
            }
        }
        Command::Kill { reason } => control_commands::kill(&reason, &mut out),
        Command::Resume => control_commands::resume(&mut out),
        Command::Status { json } => control_commands::status(json, &mut out),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (e.g. `| head`) is the reader's choice, not an error.
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("breakwater: {e:#}");
            ExitCode::FAILURE
        }
    }
}
