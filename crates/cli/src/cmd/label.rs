//! `sift label`: the themes of each paragraph of an article, with
//! probabilities and the terms that drove each decision, and the article's
//! themes as a whole.
//!
//! Inputs are text files (one article each; stdin when none or `-`) or,
//! with `--jsonl`, JSON Lines files of records (one article per line),
//! which are streamed in batches: memory stays bounded however long the
//! file, and output keeps the input order.
//!
//! Formats: `text` (an aligned report; colour only on a terminal, never
//! with `NO_COLOR`), `json` (one object for a single text file, otherwise
//! an array of objects), `jsonl` (one object per line), `csv` (one row
//! per paragraph) and `html` (a self-contained page to read: each paragraph
//! in full, marked with its themes, the terms behind them highlighted).
//!
//! `--only LABEL,...` filters: it keeps the articles with one of those
//! themes (as a whole, or in one of their paragraphs) and shows only their
//! paragraphs that have one; a paragraph keeps its place in the article
//! (`¶3`, `index`).
//!
//! The article's `themes` list every label with the whole text's
//! probability and the share of the body in paragraphs with that label; its
//! `labels` are the themes of the whole text and those covering at least a
//! quarter of the body.

use super::{inputs, Article, Batching};
use anyhow::Result;
use serde_json::{json, Map, Value};
use sift_classify::{argmax, LabelOptions, LabelledArticle, Model, TermContribution};
use sift_tokenize::Span;
use std::io::{IsTerminal, Write};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LabelFormat {
    /// An aligned, readable report.
    Text,
    /// JSON: an object per article (an array when there are several).
    Json,
    /// One JSON object per article per line.
    Jsonl,
    /// One row per paragraph.
    Csv,
    /// A self-contained HTML page to read in a browser: each paragraph in
    /// full, marked with its themes, the terms behind them highlighted.
    Html,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorArg {
    /// Colour when standard output is a terminal and NO_COLOR is unset.
    Auto,
    Always,
    Never,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Articles as text files (stdin when none or `-`); with --jsonl, JSON
    /// Lines files with one article per record (`.gz` read transparently).
    files: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LabelFormat::Text)]
    format: LabelFormat,
    /// Theme model (default: the model built into sift).
    #[arg(long, value_name = "MODEL")]
    model: Option<String>,
    /// One probability threshold in 0..=1 for every label, instead of the
    /// model's tuned per-label thresholds.
    #[arg(long, value_name = "P", value_parser = parse_probability, allow_negative_numbers = true)]
    threshold: Option<f32>,
    /// Terms to show for each label of a paragraph (0: none).
    #[arg(long, value_name = "N", default_value_t = 5)]
    explain: usize,
    /// Only articles with one of these themes (as a whole or in a
    /// paragraph), showing only their paragraphs that have one (comma-
    /// separated or repeated).
    #[arg(long, value_name = "LABEL", value_delimiter = ',')]
    only: Vec<String>,
    #[command(flatten)]
    batching: Batching,
    /// Colour in the text report.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    color: ColorArg,
}

/// Parses a probability in 0..=1.
pub fn parse_probability(s: &str) -> Result<f32, String> {
    match s.trim().parse::<f32>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err("expected a probability between 0 and 1".to_string()),
    }
}

pub fn run(a: Args, quiet: bool, out: &mut dyn Write) -> Result<()> {
    a.batching.check()?;
    let model = crate::models::load(a.model.as_deref())?;
    let only = only_mask(&model, &a.only)?;
    let files = inputs(&a.files);
    let color = match a.color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map_or(true, |t| t != "dumb")
        }
    };
    let single = !a.batching.jsonl && files.len() == 1;
    let mut emit = Emitter::new(&model, a.format, color, single, only, out);
    let opts = LabelOptions { threshold: a.threshold, explain: a.explain };
    a.batching.run(&files, quiet, "labelled", |batch| emit.batch(batch, opts))?;
    emit.finish()
}

/// The labels `--only` names, as a mask over the model's labels (`None`
/// without the flag); an unknown label is a usage error.
fn only_mask(model: &Model, only: &[String]) -> Result<Option<Vec<bool>>> {
    if only.is_empty() {
        return Ok(None);
    }
    let labels = model.labels();
    let mut mask = vec![false; labels.len()];
    for name in only {
        let name = name.trim();
        let Some(c) = labels.iter().position(|l| l == name) else {
            return Err(crate::error::usage(format!(
                "--only: the model has no label '{name}', expected one of {}",
                labels.join(", ")
            )));
        };
        mask[c] = true;
    }
    Ok(Some(mask))
}

/// Writes labelled articles in the chosen format, keeping the state a
/// format needs between batches (an open JSON array, a CSV header).
struct Emitter<'a> {
    model: &'a Model,
    format: LabelFormat,
    color: bool,
    single: bool,
    out: &'a mut dyn Write,
    written: usize,
    /// `--only`: the labels to keep.
    only: Option<Vec<bool>>,
}

impl<'a> Emitter<'a> {
    fn new(
        model: &'a Model,
        format: LabelFormat,
        color: bool,
        single: bool,
        only: Option<Vec<bool>>,
        out: &'a mut dyn Write,
    ) -> Self {
        Emitter { model, format, color, single, out, written: 0, only }
    }

    /// The paragraphs to show (their indices), or `None` when `--only`
    /// drops the article.
    fn shown(&self, l: &LabelledArticle) -> Option<Vec<usize>> {
        let all = 0..l.paragraphs.len();
        let Some(mask) = &self.only else {
            return Some(all.collect());
        };
        let has = |labels: &[usize]| labels.iter().any(|&c| mask[c]);
        let shown: Vec<usize> = all.filter(|&i| has(&l.paragraphs[i].prediction.labels)).collect();
        (has(&l.labels) || !shown.is_empty()).then_some(shown)
    }

    fn batch(&mut self, items: &[Article], opts: LabelOptions) -> Result<()> {
        if items.is_empty() {
            return Ok(());
        }
        let texts: Vec<&str> = items.iter().map(|i| i.text.as_str()).collect();
        let labelled = self.model.label_articles(&texts, opts);
        for (item, l) in items.iter().zip(&labelled) {
            let Some(shown) = self.shown(l) else { continue };
            match self.format {
                LabelFormat::Json => {
                    let v = to_json(self.model, item, l, &shown);
                    if self.single {
                        writeln!(self.out, "{}", serde_json::to_string_pretty(&v)?)?;
                    } else {
                        let sep = if self.written == 0 { "[\n" } else { ",\n" };
                        write!(self.out, "{sep}{}", serde_json::to_string_pretty(&v)?)?;
                    }
                }
                LabelFormat::Jsonl => writeln!(
                    self.out,
                    "{}",
                    serde_json::to_string(&to_json(self.model, item, l, &shown))?
                )?,
                LabelFormat::Csv => self.csv(item, l, &shown)?,
                LabelFormat::Text => self.text(item, l, &shown)?,
                LabelFormat::Html => self.html(item, l, &shown)?,
            }
            self.written += 1;
        }
        Ok(())
    }

    /// Closes the output. When `--only` kept nothing, it is still
    /// well-formed: an empty JSON array, `null` for a single file's object,
    /// a CSV header.
    fn finish(self) -> Result<()> {
        match self.format {
            LabelFormat::Json if !self.single => {
                writeln!(self.out, "{}]", if self.written == 0 { "[" } else { "\n" })?
            }
            LabelFormat::Json if self.written == 0 => writeln!(self.out, "null")?,
            LabelFormat::Csv if self.written == 0 => {
                let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
                self.csv_header(&mut w)?;
                let bytes = w.into_inner().map_err(|e| anyhow::anyhow!("csv: {e}"))?;
                self.out.write_all(&bytes)?;
            }
            LabelFormat::Html => {
                if self.written == 0 {
                    self.out.write_all(self.html_head().as_bytes())?;
                    writeln!(self.out, "<p class=\"muted\">No article to show.</p>")?;
                }
                writeln!(self.out, "</body>\n</html>")?;
            }
            _ => {}
        }
        Ok(())
    }

    fn csv_header(&self, w: &mut csv::Writer<Vec<u8>>) -> Result<()> {
        let mut header = vec!["source".to_string(), "paragraph".into(), "start".into()];
        header.extend(["end".to_string(), "labels".into()]);
        header.extend(self.model.labels().iter().map(|l| format!("p_{l}")));
        header.push("top_terms".into());
        w.write_record(&header)?;
        Ok(())
    }

    fn csv(&mut self, item: &Article, l: &LabelledArticle, shown: &[usize]) -> Result<()> {
        let labels = self.model.labels();
        let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
        if self.written == 0 {
            self.csv_header(&mut w)?;
        }
        let source = source_text(&item.source);
        for &i in shown {
            let p = &l.paragraphs[i];
            let mut row = vec![
                source.clone(),
                i.to_string(),
                p.span.start.to_string(),
                p.span.end.to_string(),
                ranked(&p.prediction.labels, &p.prediction.probabilities)
                    .iter()
                    .map(|&c| labels[c].as_str())
                    .collect::<Vec<_>>()
                    .join(";"),
            ];
            row.extend(p.prediction.probabilities.iter().map(|&x| format!("{:.4}", x)));
            row.push(
                p.top_terms
                    .iter()
                    .map(|t| {
                        format!(
                            "{}:{}={:.4}",
                            labels[t.label],
                            surface(t, &item.text, usize::MAX),
                            t.contribution.weight
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            );
            w.write_record(&row)?;
        }
        let bytes = w.into_inner().map_err(|e| anyhow::anyhow!("csv: {e}"))?;
        self.out.write_all(&bytes)?;
        Ok(())
    }

    fn text(&mut self, item: &Article, l: &LabelledArticle, shown: &[usize]) -> Result<()> {
        let labels = self.model.labels();
        let text = item.text.as_str();
        let paint = |s: &str, code: &str| -> String {
            if self.color {
                format!("\x1b[{code}m{s}\x1b[0m")
            } else {
                s.to_string()
            }
        };
        let label_color = |c: usize| PALETTE[c % PALETTE.len()];
        let themes = |labels_idx: &[usize], probs: &[f32]| -> String {
            if labels_idx.is_empty() {
                let best = argmax(probs);
                return paint(
                    &format!("no theme (most likely {} {:.2})", labels[best], probs[best]),
                    "2",
                );
            }
            let chosen = ranked(labels_idx, probs)
                .iter()
                .map(|&c| format!("{} {:.2}", paint(&labels[c], label_color(c)), probs[c]))
                .collect::<Vec<_>>()
                .join("  ");
            match nearest_theme(self.model, labels_idx, probs) {
                Some(c) => format!(
                    "{chosen}  {}",
                    paint(
                        &format!(
                            "(no theme reached its threshold; nearest {} {:.2})",
                            labels[c], probs[c]
                        ),
                        "2"
                    )
                ),
                None => chosen,
            }
        };
        let mut o = String::new();
        if self.written > 0 {
            o.push('\n');
        }
        o += &paint(&crate::output::one_line(&source_text(&item.source)), "1");
        o.push('\n');
        if let Some(t) = l.title {
            o += &format!("  title    {}\n", one_line(t.text(text), 100));
        }
        let mut by_share: Vec<usize> = (0..labels.len()).filter(|&c| l.shares[c] > 0.0).collect();
        by_share.sort_by(|&a, &b| l.shares[b].total_cmp(&l.shares[a]).then(a.cmp(&b)));
        let shares: Vec<String> = by_share
            .iter()
            .map(|&c| format!("{} {:.0}%", labels[c], 100.0 * l.shares[c]))
            .collect();
        o += &format!(
            "  article  {}{}\n",
            l.labels
                .iter()
                .map(|&c| paint(&labels[c], label_color(c)))
                .collect::<Vec<_>>()
                .join(", "),
            if shares.is_empty() {
                String::new()
            } else {
                paint(&format!("  (paragraphs: {})", shares.join(", ")), "2")
            }
        );
        let n = l.paragraphs.len();
        let iw = format!("¶{n}").chars().count();
        let bw = shown
            .iter()
            .map(|&i| format!("{}-{}", l.paragraphs[i].span.start, l.paragraphs[i].span.end).len())
            .max()
            .unwrap_or(0);
        for &i in shown {
            let p = &l.paragraphs[i];
            let index = format!("¶{}", i + 1);
            let bytes = format!("{}-{}", p.span.start, p.span.end);
            o += &format!(
                "\n  {index:<iw$}  {}  {}\n",
                paint(&format!("{bytes:<bw$}"), "2"),
                themes(&p.prediction.labels, &p.prediction.probabilities)
            );
            let indent = " ".repeat(iw + 4);
            o += &format!("{indent}{}\n", paint(&one_line(p.span.text(text), 76), "2"));
            for (c, terms) in terms_by_label(&p.top_terms, text) {
                o += &format!(
                    "{indent}{}: {}\n",
                    paint(&labels[c], label_color(c)),
                    terms.join(", ")
                );
            }
        }
        if n == 0 {
            o += "  (no paragraphs)\n";
        } else if shown.is_empty() {
            o += "  (no paragraph has these themes on its own; the article as a whole does)\n";
        }
        self.out.write_all(o.as_bytes())?;
        Ok(())
    }
}

impl Emitter<'_> {
    /// The page's head, up to the opening of its body.
    fn html_head(&self) -> String {
        let labels = self.model.labels();
        let mut css = String::new();
        for (c, _) in labels.iter().enumerate() {
            let (fg, bg) = HTML_PALETTE[c % HTML_PALETTE.len()];
            css += &format!(
                ".l{c}{{border-color:{fg}}} .t{c}{{color:{fg}}} mark.t{c}{{background:{bg};color:inherit}}\n"
            );
        }
        let legend: Vec<String> = labels
            .iter()
            .enumerate()
            .map(|(c, l)| format!("<span class=\"t{c}\">{}</span>", crate::report::esc(l)))
            .collect();
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <title>sift label</title>\n<style>\n\
             body{{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:48rem;color:#222;padding:0 1rem;line-height:1.5}}\n\
             article{{margin-bottom:3rem}} h2{{font-size:1rem;margin-bottom:0;word-break:break-all}} h3{{font-size:1.3rem;margin:.25rem 0}}\n\
             section{{border-left:.35rem solid #ccc;padding:.1rem 0 .1rem .8rem;margin:1rem 0}}\n\
             .meta{{font-size:.85rem;color:#555}} .meta b{{font-weight:600}} .muted{{color:#666}}\n\
             p.text{{white-space:pre-wrap;margin:.3rem 0}} mark{{border-radius:.2rem;padding:0 .1rem}}\n\
             .terms{{font-size:.85rem;color:#444}}\n\
             {css}</style>\n</head>\n<body>\n<h1>sift label</h1>\n\
             <p class=\"muted\">Labels: {}. Each paragraph shows its themes with their probabilities; \
             the terms that raised a theme's score most are highlighted where they first appear \
             (hover for the label and contribution).</p>\n",
            legend.join(", ")
        )
    }

    fn html(&mut self, item: &Article, l: &LabelledArticle, shown: &[usize]) -> Result<()> {
        use crate::report::esc;
        let labels = self.model.labels();
        let text = item.text.as_str();
        let mut o = String::new();
        if self.written == 0 {
            o += &self.html_head();
        }
        o += &format!("<article>\n<h2>{}</h2>\n", esc(&source_text(&item.source)));
        if let Some(t) = l.title {
            o += &format!("<h3>{}</h3>\n", esc(&visible(t.text(text))));
        }
        let article_labels: Vec<String> = l
            .labels
            .iter()
            .map(|&c| format!("<b class=\"t{c}\">{}</b>", esc(&labels[c])))
            .collect();
        let mut by_share: Vec<usize> = (0..labels.len()).filter(|&c| l.shares[c] > 0.0).collect();
        by_share.sort_by(|&a, &b| l.shares[b].total_cmp(&l.shares[a]).then(a.cmp(&b)));
        let shares: Vec<String> = by_share
            .iter()
            .map(|&c| format!("{} {:.0}%", esc(&labels[c]), 100.0 * l.shares[c]))
            .collect();
        o += &format!(
            "<p class=\"meta\">Article: {} <span class=\"muted\">(paragraphs: {})</span></p>\n",
            article_labels.join(", "),
            shares.join(", ")
        );
        for &i in shown {
            let p = &l.paragraphs[i];
            let probs = &p.prediction.probabilities;
            let top = if p.prediction.labels.is_empty() {
                argmax(probs)
            } else {
                ranked(&p.prediction.labels, probs)[0]
            };
            let themes: Vec<String> = if p.prediction.labels.is_empty() {
                vec![format!("no theme (most likely {} {:.2})", esc(&labels[top]), probs[top])]
            } else {
                let mut v: Vec<String> = ranked(&p.prediction.labels, probs)
                    .iter()
                    .map(|&c| format!("<b class=\"t{c}\">{}</b> {:.2}", esc(&labels[c]), probs[c]))
                    .collect();
                if let Some(c) = nearest_theme(self.model, &p.prediction.labels, probs) {
                    v.push(format!(
                        "<span class=\"muted\">no theme reached its threshold; nearest \
                         <span class=\"t{c}\">{}</span> {:.2}</span>",
                        esc(&labels[c]),
                        probs[c]
                    ));
                }
                v
            };
            o += &format!(
                "<section class=\"l{top}\" id=\"p{}-{}\">\n<div class=\"meta\">¶{} \
                 <span class=\"muted\">bytes {}-{}</span> · {}</div>\n",
                self.written,
                i + 1,
                i + 1,
                p.span.start,
                p.span.end,
                themes.join(" · ")
            );
            o += &format!(
                "<p class=\"text\">{}</p>\n",
                highlighted(text, p.span, &p.top_terms, labels)
            );
            for (c, terms) in terms_by_label(&p.top_terms, text) {
                o += &format!(
                    "<div class=\"terms\"><span class=\"t{c}\">{}</span>: {}</div>\n",
                    esc(&labels[c]),
                    esc(&terms.join(", "))
                );
            }
            o += "</section>\n";
        }
        if l.paragraphs.is_empty() {
            o += "<p class=\"muted\">(no paragraphs)</p>\n";
        } else if shown.is_empty() {
            o += "<p class=\"muted\">(no paragraph has these themes on its own; the article as a \
                  whole does)</p>\n";
        }
        o += "</article>\n";
        self.out.write_all(o.as_bytes())?;
        Ok(())
    }
}

/// Colours of labels in the HTML page, by label index: (text and border,
/// highlight background).
const HTML_PALETTE: [(&str, &str); 6] = [
    ("#b3261e", "#fde2df"),
    ("#7b3fa0", "#efe1f7"),
    ("#00796b", "#d7f2ee"),
    ("#1f5fbf", "#dde8fb"),
    ("#9a6a00", "#fbefcf"),
    ("#2e7d32", "#def2df"),
];

/// `s` with control characters other than line breaks (`\n`, `\r`) and
/// tabs shown as
/// symbols ([`crate::output::shown`], as the text report does), so that the
/// page holds only characters HTML allows.
fn visible(s: &str) -> String {
    s.chars()
        .map(|c| if matches!(c, '\n' | '\r' | '\t') { c } else { crate::output::shown(c) })
        .collect()
}

/// The paragraph `span` of `text` as HTML, each top term's first occurrence
/// in a `<mark>` of its label's colour (titled with label and contribution).
/// Terms are placed by decreasing contribution, and one that overlaps a
/// term already placed is left unmarked (`foreign intelligence` when
/// `intelligence` weighs more).
fn highlighted(text: &str, span: Span, terms: &[TermContribution], labels: &[String]) -> String {
    use crate::report::esc;
    let mut by_weight: Vec<(Span, &TermContribution)> = terms
        .iter()
        .filter_map(|t| t.first.map(|s| (s, t)))
        .filter(|(s, _)| s.start >= span.start && s.end <= span.end && s.start < s.end)
        .collect();
    by_weight.sort_by(|a, b| b.1.contribution.weight.total_cmp(&a.1.contribution.weight));
    let mut marks: Vec<(Span, &TermContribution)> = Vec::new();
    for (s, t) in by_weight {
        if marks.iter().all(|(m, _)| s.end <= m.start || s.start >= m.end) {
            marks.push((s, t));
        }
    }
    marks.sort_by_key(|(s, _)| s.start);
    let mut o = String::new();
    let mut at = span.start;
    for (s, t) in marks {
        o += &esc(&visible(&text[at..s.start]));
        o += &format!(
            "<mark class=\"t{}\" title=\"{}: {:.4}\">{}</mark>",
            t.label,
            esc(&labels[t.label]),
            t.contribution.weight,
            esc(&visible(s.text(text)))
        );
        at = s.end;
    }
    o += &esc(&visible(&text[at..span.end]));
    o
}

/// A paragraph's top terms grouped by label, labels in the order their first
/// term comes: each term as `surface weight` (at most 40 characters of
/// surface), as the text and HTML reports list them.
fn terms_by_label(terms: &[TermContribution], text: &str) -> Vec<(usize, Vec<String>)> {
    let mut out: Vec<(usize, Vec<String>)> = Vec::new();
    for t in terms {
        let shown = format!("{} {:.2}", surface(t, text, 40), t.contribution.weight);
        match out.iter_mut().find(|(c, _)| *c == t.label) {
            Some((_, v)) => v.push(shown),
            None => out.push((t.label, vec![shown])),
        }
    }
    out
}

/// ANSI colours for labels, by label index.
const PALETTE: [&str; 6] = ["31", "35", "36", "34", "33", "32"];

/// When a paragraph got the model's none label only because no theme
/// reached its threshold, while a theme is still more probable than the
/// none label: that theme. The reports then say so, instead of showing
/// "other 0.02" alone for a paragraph whose espionage probability is 0.40.
fn nearest_theme(model: &Model, labels: &[usize], probs: &[f32]) -> Option<usize> {
    let n = model.none_label()?;
    if labels != [n] {
        return None;
    }
    (0..probs.len())
        .filter(|&c| c != n && probs[c] > probs[n])
        .max_by(|&a, &b| probs[a].total_cmp(&probs[b]).then(b.cmp(&a)))
}

/// Labels by decreasing probability (ties: label order).
fn ranked(labels: &[usize], probs: &[f32]) -> Vec<usize> {
    let mut v = labels.to_vec();
    v.sort_by(|&a, &b| probs[b].total_cmp(&probs[a]).then(a.cmp(&b)));
    v
}

/// A top term as the reader wrote it: its first occurrence in the paragraph
/// on one line (at most `max` characters), or the model's (stemmed) term when
/// it has no occurrence to show.
fn surface(t: &TermContribution, text: &str, max: usize) -> String {
    one_line(t.first.map_or(t.contribution.term.as_str(), |s| s.text(text)), max)
}

/// `s` on one line ([`crate::output::one_line`]: runs of whitespace become
/// one space, control characters visible symbols), cut to `max` characters
/// with an ellipsis.
fn one_line(s: &str, max: usize) -> String {
    let o = crate::output::one_line(s);
    if o.chars().count() > max {
        let cut: String = o.chars().take(max - 1).collect();
        return format!("{}…", cut.trim_end());
    }
    o
}

fn source_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Four decimals are plenty for probabilities and contributions, and keep
/// the output readable.
fn round4(x: f32) -> f64 {
    (x as f64 * 1e4).round() / 1e4
}

fn to_json(m: &Model, item: &Article, l: &LabelledArticle, shown: &[usize]) -> Value {
    let labels = m.labels();
    let text = item.text.as_str();
    let all: Vec<usize> = (0..labels.len()).collect();
    let themes: Vec<Value> = ranked(&all, &l.article.probabilities)
        .into_iter()
        .map(|c| {
            json!({
                "label": labels[c],
                "probability": round4(l.article.probabilities[c]),
                "share": round4(l.shares[c]),
            })
        })
        .collect();
    let names = |idx: &[usize], probs: &[f32]| -> Vec<&str> {
        ranked(idx, probs).into_iter().map(|c| labels[c].as_str()).collect()
    };
    let paragraphs: Vec<Value> = shown
        .iter()
        .map(|&i| {
            let p = &l.paragraphs[i];
            let probabilities: Map<String, Value> = labels
                .iter()
                .zip(&p.prediction.probabilities)
                .map(|(l, &x)| (l.clone(), json!(round4(x))))
                .collect();
            let top_terms: Vec<Value> = p
                .top_terms
                .iter()
                .map(|t| {
                    let mut o = json!({
                        "term": t.contribution.term,
                        "label": labels[t.label],
                        "weight": round4(t.contribution.weight),
                    });
                    if let Some(s) = t.first {
                        o["text"] = json!(s.text(text));
                        o["start"] = json!(s.start);
                        o["end"] = json!(s.end);
                    }
                    o
                })
                .collect();
            json!({
                "index": i,
                "start": p.span.start,
                "end": p.span.end,
                "text": p.span.text(text),
                "labels": names(&p.prediction.labels, &p.prediction.probabilities),
                "probabilities": probabilities,
                "top_terms": top_terms,
            })
        })
        .collect();
    let title = l.title.map(|t| json!({"text": t.text(text), "start": t.start, "end": t.end}));
    json!({
        "source": item.source,
        "title": title,
        "themes": themes,
        "labels": l.labels.iter().map(|&c| labels[c].as_str()).collect::<Vec<_>>(),
        "paragraphs": paragraphs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probabilities_outside_0_1_are_refused() {
        assert_eq!(parse_probability("0.3"), Ok(0.3));
        assert_eq!(parse_probability("1"), Ok(1.0));
        assert!(parse_probability("1.5").is_err());
        assert!(parse_probability("-0.1").is_err());
        assert!(parse_probability("NaN").is_err());
        assert!(parse_probability("half").is_err());
    }

    #[test]
    fn one_line_collapses_and_cuts() {
        assert_eq!(one_line("a\n  b\tc", 10), "a b c");
        assert_eq!(one_line("abcdef ghij", 6), "abcde…");
        assert_eq!(one_line("ééééé", 3), "éé…");
        assert_eq!(one_line("\x1b[2Jspy", 9), "␛[2Jspy");
    }
}
