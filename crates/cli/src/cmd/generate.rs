//! `sift generate`: shell completions (clap_complete) and manual pages
//! (clap_mangen), both derived from the flag definitions, so they cannot
//! drift from the binary.
//!
//! Completions and the top manual page go to stdout; `man --out-dir DIR`
//! writes one page per subcommand (`sift.1`, `sift-label.1`, ...), each
//! atomically.

use crate::error::usage;
use crate::output::{check_outputs, write_atomic};
use anyhow::Result;
use clap_complete::Shell;
use std::io::Write;
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// Completions for bash (`sift generate bash > /etc/bash_completion.d/sift`).
    Bash,
    /// Completions for zsh (save as `_sift` in a folder of `$fpath`).
    Zsh,
    /// Completions for fish (`~/.config/fish/completions/sift.fish`).
    Fish,
    /// Completions for PowerShell.
    Powershell,
    /// Completions for elvish.
    Elvish,
    /// Manual pages (roff): `sift.1` on stdout, or every page into --out-dir.
    Man,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to generate.
    #[arg(value_enum)]
    kind: Kind,
    /// With `man`: write `sift.1` and a page per subcommand
    /// (`sift-label.1`...) into this existing folder.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<String>,
}

pub fn run(a: Args, mut cmd: clap::Command, out: &mut dyn Write) -> Result<()> {
    let shell = match a.kind {
        Kind::Bash => Shell::Bash,
        Kind::Zsh => Shell::Zsh,
        Kind::Fish => Shell::Fish,
        Kind::Powershell => Shell::PowerShell,
        Kind::Elvish => Shell::Elvish,
        Kind::Man => return man(cmd, a.out_dir.as_deref(), out),
    };
    if a.out_dir.is_some() {
        return Err(usage("--out-dir applies to `sift generate man` only"));
    }
    clap_complete::generate(shell, &mut cmd, "sift", out);
    Ok(())
}

fn man(mut cmd: clap::Command, dir: Option<&str>, out: &mut dyn Write) -> Result<()> {
    let Some(dir) = dir else {
        clap_mangen::Man::new(cmd).render(out)?;
        return Ok(());
    };
    // Every page's path, checked before any is written.
    cmd.build();
    let mut pages = vec![("sift".to_string(), cmd.clone())];
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = format!("sift-{}", sub.get_name());
        pages.push((name.clone(), sub.clone().display_name(name)));
    }
    let paths: Vec<String> = pages
        .iter()
        .map(|(n, _)| Path::new(dir).join(format!("{n}.1")).display().to_string())
        .collect();
    let outputs: Vec<(&str, &str)> = paths.iter().map(|p| ("--out-dir", p.as_str())).collect();
    check_outputs(&outputs, &[])?;
    // Every page's footer names the program and its version (a
    // subcommand's own would be "label ").
    let source = format!("sift {}", env!("CARGO_PKG_VERSION"));
    for ((_, page), path) in pages.into_iter().zip(&paths) {
        write_atomic(path, |w| clap_mangen::Man::new(page).source(source.clone()).render(w))?;
    }
    Ok(())
}
