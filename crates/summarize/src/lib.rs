//! # sift-summarize
//!
//! Extractive summarization: picks the sentences that best summarize an
//! article and returns them in document order, with byte spans into the
//! original text and scores. The title line is never part of a summary.
//!
//! * Scorers ([`Algorithm`]): lead-N, TextRank, LexRank (continuous and
//!   thresholded), centroid, Luhn, and sift's default, which combines a
//!   position prior with centrality.
//! * Redundancy control by maximal marginal relevance, budgets in
//!   sentences, words or a ratio of the article ([`Budget`]).
//! * Theme focus: paragraph weights (e.g. a theme classifier's
//!   probabilities) tilt the choice toward the paragraphs that matter.
//! * [`rouge`]: ROUGE-1/2/L/Lsum equal to rouge-score's.
//!
//! ```
//! use sift_summarize::{Budget, Summarizer, SummarizerParams};
//! let text = "Ministers agree trade deal\n\nThe deal cuts tariffs on steel. It was signed in Geneva. \
//!             Talks lasted two weeks. Steel makers welcomed the cut in tariffs.";
//! let s = Summarizer::new(SummarizerParams { budget: Budget::Sentences(2), ..Default::default() }).unwrap();
//! let summary = s.summarize(text);
//! assert_eq!(summary.sentences.len(), 2);
//! assert!(summary.sentences.iter().all(|x| !x.text(text).contains("Ministers")));
//! ```
#![deny(missing_docs)]
#![warn(clippy::unwrap_used)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod doc;
pub mod porter;
pub mod rouge;
mod score;
mod select;
pub mod supervised;

pub use doc::{count_words, Builder, Document, Sentence, TitleMode};
pub use score::pagerank;
pub use score::{is_content, ANCHORED_LEAD, MIN_CONTENT_TERMS, MIN_CONTENT_WORDS};
pub use select::{select, select_anchored, Budget};

use serde::{Deserialize, Serialize};
use sift_tfidf::TfidfVectorizer;
use sift_tokenize::{Analyzer, AnalyzerConfig, Language, Span};

/// Errors of the summarizer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Invalid parameters.
    #[error("invalid summarizer parameter {name}: {reason}")]
    Param {
        /// The parameter.
        name: &'static str,
        /// What was expected.
        reason: String,
    },
    /// The tokenizer configuration is invalid.
    #[error(transparent)]
    Tokenizer(#[from] sift_tokenize::Error),
    /// A supervised model file is damaged, foreign or unusable.
    #[error("{reason}")]
    Model {
        /// What is wrong with it.
        reason: String,
    },
}

/// Which scorer ranks the sentences.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Algorithm {
    /// The first sentences.
    Lead,
    /// PageRank on the cosine-similarity graph.
    TextRank,
    /// LexRank, continuous, or thresholded at `threshold`.
    LexRank {
        /// Cosine above which two sentences are linked (continuous when absent).
        threshold: Option<f32>,
    },
    /// Similarity to the document's centroid.
    Centroid,
    /// Luhn's significant-word clusters.
    Luhn,
    /// A scorer learned from (article, summary) pairs
    /// ([`train_summarizer`]); needs [`Summarizer::with_supervised`].
    Supervised,
    /// sift's default: the first three content sentences (the lead, minus
    /// fragments such as bylines), then the most central sentences.
    Default,
}

/// Most sentences a text may have for the graph-based scorers (TextRank,
/// LexRank, and the supervised scorer's LexRank and TextRank features) to
/// build its sentence graph: the graph is n x n, 100 MB at 5,000 sentences
/// and 360 GB at 300,000. On longer texts they score by centroid
/// centrality instead (as `Algorithm::Centroid`), in linear memory; the other
/// scorers never build the graph.
pub const MAX_GRAPH_SENTENCES: usize = 5_000;

/// Everything that defines a summarizer. Plain data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SummarizerParams {
    /// The scorer.
    pub algorithm: Algorithm,
    /// Summary length.
    pub budget: Budget,
    /// Maximal marginal relevance trade-off (1: relevance only).
    pub mmr_lambda: Option<f64>,
    /// How sentences become terms.
    pub analyzer: AnalyzerConfig,
    /// How the first line is treated.
    pub title: TitleMode,
}

impl Default for SummarizerParams {
    fn default() -> Self {
        SummarizerParams {
            algorithm: Algorithm::Default,
            budget: Budget::Sentences(3),
            mmr_lambda: Some(0.8),
            analyzer: AnalyzerConfig::default().with_stemming(Language::English),
            title: TitleMode::Auto,
        }
    }
}

/// A selected sentence.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Selected {
    /// Byte span in the text.
    pub span: Span,
    /// Index among the candidate sentences.
    pub index: usize,
    /// Paragraph index (body paragraphs).
    pub paragraph: usize,
    /// The scorer's score.
    pub score: f64,
}

impl Selected {
    /// The sentence's text in `text`.
    pub fn text<'t>(&self, text: &'t str) -> &'t str {
        self.span.text(text)
    }
}

/// A summary: selected sentences in document order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// The title, if the text has one.
    pub title: Option<Span>,
    /// Chosen sentences, in document order.
    pub sentences: Vec<Selected>,
    /// Number of candidate sentences.
    pub candidates: usize,
}

/// A configured summarizer.
pub struct Summarizer {
    params: SummarizerParams,
    analyzer: Analyzer,
    background: Option<TfidfVectorizer>,
    supervised: Option<supervised::SupervisedModel>,
}

impl Summarizer {
    /// A summarizer with IDF computed from each document's own sentences.
    pub fn new(params: SummarizerParams) -> Result<Self, Error> {
        if let Some(l) = params.mmr_lambda {
            if !(0.0..=1.0).contains(&l) {
                return Err(Error::Param {
                    name: "mmr_lambda",
                    reason: "must be within 0..=1".into(),
                });
            }
        }
        match params.budget {
            Budget::Sentences(0) | Budget::Words(0) => {
                return Err(Error::Param { name: "budget", reason: "must be at least 1".into() });
            }
            Budget::Ratio(r) if !(r > 0.0 && r <= 1.0) => {
                return Err(Error::Param {
                    name: "budget",
                    reason: "a ratio must be within 0 (excluded) and 1".into(),
                });
            }
            _ => {}
        }
        let analyzer = Analyzer::new(params.analyzer.clone())?;
        Ok(Summarizer { params, analyzer, background: None, supervised: None })
    }

    /// Uses a trained supervised scorer (for [`Algorithm::Supervised`]).
    pub fn with_supervised(mut self, model: supervised::SupervisedModel) -> Result<Self, Error> {
        model.check().map_err(|reason| Error::Param { name: "supervised model", reason })?;
        self.supervised = Some(model);
        Ok(self)
    }

    /// Uses the IDF of a fitted vectorizer (a background corpus) instead of
    /// each document's own.
    pub fn with_background(mut self, vectorizer: TfidfVectorizer) -> Self {
        self.background = Some(vectorizer);
        self
    }

    /// The parameters.
    pub fn params(&self) -> &SummarizerParams {
        &self.params
    }

    /// Parses a text into a scored-ready document.
    pub fn document(&self, text: &str) -> Document {
        Builder::new(&self.analyzer, self.background.as_ref()).build(text, self.params.title)
    }

    /// Scores of every candidate sentence of `doc`, and the sentences to
    /// take first (the default's anchored lead). `sims` is
    /// [`Document::similarities`] for the graph-based scorers; given
    /// anything else (such as an empty slice), they score by centroid
    /// centrality (see [`MAX_GRAPH_SENTENCES`]).
    pub fn scores(&self, doc: &Document, sims: &[f32]) -> (Vec<f64>, Vec<usize>) {
        let plain = |s: Vec<f64>| (s, Vec::new());
        match self.params.algorithm {
            Algorithm::Lead => plain(score::lead(doc)),
            Algorithm::TextRank => plain(score::textrank(doc, sims)),
            Algorithm::LexRank { threshold } => plain(score::lexrank(doc, sims, threshold)),
            Algorithm::Centroid => plain(score::centroid(doc)),
            Algorithm::Luhn => plain(score::luhn(doc)),
            Algorithm::Default => score::sift_default(doc),
            Algorithm::Supervised => match &self.supervised {
                Some(m) => plain(m.scores(doc, sims)),
                // Without a model, fall back to the default.
                None => score::sift_default(doc),
            },
        }
    }

    /// Summarizes `text`.
    pub fn summarize(&self, text: &str) -> Summary {
        self.summarize_weighted(text, None)
    }

    /// Summarizes `text`, multiplying each sentence's score by the weight of
    /// its paragraph (theme focus; missing weights count as 1).
    pub fn summarize_weighted(&self, text: &str, paragraph_weights: Option<&[f64]>) -> Summary {
        let doc = self.document(text);
        let graph = match self.params.algorithm {
            Algorithm::TextRank | Algorithm::LexRank { .. } => true,
            Algorithm::Supervised => self.supervised.is_some(),
            _ => false,
        };
        // The n x n matrix only for the scorers that need it, and only when
        // it fits; MMR computes the rows it needs without it.
        let sims = if graph && doc.graph_fits() { doc.similarities() } else { Vec::new() };
        let (mut scores, mut anchors) = self.scores(&doc, &sims);
        if let Some(w) = paragraph_weights {
            let weight = |s: &Sentence| w.get(s.paragraph).copied().unwrap_or(1.0);
            let top = doc.sentences.iter().map(weight).fold(0.0, f64::max);
            for (s, sent) in scores.iter_mut().zip(&doc.sentences) {
                *s *= weight(sent);
            }
            // Only lead sentences in focused paragraphs stay anchored.
            anchors.retain(|&i| weight(&doc.sentences[i]) >= 0.5 * top);
        }
        let picked = select::select_anchored(
            &doc,
            &scores,
            &sims,
            self.params.budget,
            self.params.mmr_lambda,
            &anchors,
        );
        let sentences = picked
            .into_iter()
            .map(|i| Selected {
                span: doc.sentences[i].span,
                index: i,
                paragraph: doc.sentences[i].paragraph,
                score: scores[i],
            })
            .collect();
        Summary { title: doc.title, sentences, candidates: doc.sentences.len() }
    }
}

/// Trains a supervised scorer on (article, reference summary) pairs: each
/// article's oracle sentences (greedy ROUGE, within the reference's length)
/// are the positives. Parallel over pairs; deterministic.
pub fn train_summarizer(
    pairs: &[(String, String)],
    params: &SummarizerParams,
) -> Result<supervised::SupervisedModel, Error> {
    use rayon::prelude::*;
    if pairs.is_empty() {
        return Err(Error::Param {
            name: "pairs",
            reason: "at least one (article, summary) pair is needed".into(),
        });
    }
    let analyzer = Analyzer::new(params.analyzer.clone())?;
    let per_pair: Vec<(Vec<[f64; 10]>, Vec<bool>, f64)> = pairs
        .par_iter()
        .map(|(article, summary)| {
            let doc = Builder::new(&analyzer, None).build(article, params.title);
            let sims = if doc.graph_fits() { doc.similarities() } else { Vec::new() };
            let x = supervised::features(&doc, &sims);
            let words = doc::count_words(summary).0;
            let picked = supervised::oracle(article, &doc, summary, words);
            let y: Vec<bool> =
                (0..doc.sentences.len()).map(|i| picked.binary_search(&i).is_ok()).collect();
            let cand: String = picked
                .iter()
                .map(|&i| doc.sentences[i].span.text(article))
                .collect::<Vec<_>>()
                .join(" ");
            let r1 = rouge::score(summary, &cand, true).rouge1.fmeasure;
            (x, y, r1)
        })
        .collect();
    let mut xs = Vec::new();
    let mut ys = Vec::new();
    let mut r1 = 0.0;
    for (x, y, r) in per_pair {
        xs.extend(x);
        ys.extend(y);
        r1 += r;
    }
    if !ys.iter().any(|&y| y) {
        return Err(Error::Param {
            name: "pairs",
            reason: "no summary sentence matched its article".into(),
        });
    }
    Ok(supervised::fit(&xs, &ys, pairs.len(), 100.0 * r1 / pairs.len() as f64))
}
