//! `sift`: text tools for analysts who read a lot of news and reports.
//!
//! This binary is glue: it parses flags, reads and writes files, and maps
//! errors to exit codes (see `error.rs`); the work happens in the library
//! crates.

mod cmd;
mod error;
mod input;
mod models;
mod output;
mod report;

use clap::{CommandFactory, Parser, Subcommand};
use std::io::Write;
use std::process::ExitCode;

/// mimalloc rather than the system allocator. glibc's malloc hands large
/// freed blocks back to the kernel and takes them again page fault by page
/// fault, and with two threads those faults queue on the process's
/// address-space lock. Measured on 20 Newsgroups in alternating child
/// processes (`cargo xtask vec-child` / `classify-child`, glibc against
/// mimalloc, 2026-11-26): unigram TF-IDF fit 227 -> 213 ms on one thread and
/// 149 -> 133 ms on two (median of 6 rounds); training the LinearSVC-like
/// pipeline 1.26-1.51 -> 1.06-1.21 s; loading its model 43 -> 27 ms. Peak
/// memory of the unigram fit rose from 142 to 159-166 MiB. Transparent huge
/// pages stay off (the `no_thp` feature): with them, one-thread fits spent a
/// third of their time in the kernel and were slower than with glibc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Label, summarize and vectorize news and reports.
#[derive(Debug, Parser)]
#[command(name = "sift", version, about, long_about = None, after_help = EXIT_CODES)]
struct Cli {
    /// Worker threads (default: all cores).
    #[arg(long, global = true, value_name = "N")]
    threads: Option<usize>,
    /// No progress bars or warnings on stderr.
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

const EXIT_CODES: &str = "Exit codes: 0 success, 1 internal error, 2 usage error, 3 input error, 4 model error, 5 output error.";

#[derive(Debug, Subcommand)]
enum Command {
    /// Themes of each paragraph of an article, with probabilities and the terms behind them.
    Label(cmd::label::Args),
    /// The sentences that best summarize each text, with byte offsets.
    Summarize(cmd::summarize::Args),
    /// Learn a summarizer from (article, summary) pairs.
    TrainSummarizer(cmd::summarize::TrainArgs),
    /// Train a classifier on labelled data and write a model file.
    Train(cmd::train::TrainArgs),
    /// Score a model on labelled data.
    Eval(cmd::train::EvalArgs),
    /// A model's labels, vocabulary, training metadata, metrics and top terms.
    Inspect(cmd::inspect::Args),
    /// TF-IDF features of JSON Lines records, as Matrix Market + vocabulary.
    Vectorize(cmd::vectorize::Args),
    /// Words of a text with byte spans and their terms.
    Tokens(cmd::tokens::Args),
    /// Title, paragraphs and sentences of a text with byte spans.
    Sentences(cmd::sentences::Args),
    /// Shell completions or manual pages.
    Generate(cmd::generate::Args),
}

/// Output formats shared by several subcommands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human-readable lines.
    Text,
    /// One JSON document per input.
    Json,
}

fn run(cli: Cli) -> anyhow::Result<()> {
    if let Some(n) = cli.threads {
        if n == 0 {
            return Err(error::usage("--threads: expected at least 1"));
        }
        rayon::ThreadPoolBuilder::new().num_threads(n).build_global()?;
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match cli.command {
        Command::Label(a) => cmd::label::run(a, cli.quiet, &mut out)?,
        Command::Summarize(a) => cmd::summarize::run(a, cli.quiet, &mut out)?,
        Command::TrainSummarizer(a) => cmd::summarize::train(a, &mut out)?,
        Command::Train(a) => cmd::train::train(a, cli.quiet, &mut out)?,
        Command::Eval(a) => cmd::train::eval(a, cli.quiet, &mut out)?,
        Command::Inspect(a) => cmd::inspect::run(a, &mut out)?,
        Command::Vectorize(a) => cmd::vectorize::run(a)?,
        Command::Tokens(a) => cmd::tokens::run(a, &mut out)?,
        Command::Sentences(a) => cmd::sentences::run(a, &mut out)?,
        Command::Generate(a) => cmd::generate::run(a, Cli::command(), &mut out)?,
    }
    out.flush()?;
    Ok(())
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return parse_error(e),
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => match error::classify(&e) {
            None => ExitCode::SUCCESS,
            Some((code, message)) => {
                let _ = writeln!(std::io::stderr(), "sift: error: {message}");
                ExitCode::from(code as u8)
            }
        },
    }
}

/// Help and version go to stdout (exit 0); usage errors become one line on
/// stderr and exit 2, like every other error.
fn parse_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                ExitCode::from(error::Kind::Usage as u8)
            } else {
                ExitCode::SUCCESS
            }
        }
        _ => {
            let rendered = e.render().to_string();
            // The message and its indented details (such as the names of
            // missing arguments), up to the blank line before the usage.
            let joined = rendered
                .lines()
                .take_while(|l| !l.trim().is_empty())
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(" ");
            let first = if joined.is_empty() { "invalid arguments" } else { joined.as_str() };
            let message = first.strip_prefix("error: ").unwrap_or(first);
            let _ = writeln!(std::io::stderr(), "sift: error: {message} (see sift --help)");
            ExitCode::from(error::Kind::Usage as u8)
        }
    }
}
