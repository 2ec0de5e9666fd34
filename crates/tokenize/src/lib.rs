//! # sift-tokenize
//!
//! The first stage of sift: text in, words, terms, sentences and paragraphs
//! out, each with **byte offsets into the original text**.
//!
//! * [`words`] finds words without allocating ([`Pattern::Sift`] for news
//!   text, [`Pattern::Sklearn`] for scikit-learn's `(?u)\b\w\w+\b`).
//! * [`Analyzer`] runs a configurable filter chain (lowercase, possessives,
//!   stop words, Snowball stemming, length) and word n-grams. Its
//!   [`AnalyzerConfig`] is plain serde data, saved inside model files.
//! * [`sentences`] and [`SentenceSplitter`] split sentences; [`paragraphs`]
//!   and [`article`] split paragraphs and find an article's title line;
//!   [`blocks`] gives the raw blank-line-separated blocks.
//!
//! ```
//! use sift_tokenize::{Analyzer, AnalyzerConfig, sentences};
//!
//! let text = "Hackers stole 1,000 records. Officials in the U.S. said so.";
//! let spans = sentences(text);
//! assert_eq!(&text[spans[1].range()], "Officials in the U.S. said so.");
//!
//! let analyzer = Analyzer::new(AnalyzerConfig::default()).unwrap();
//! let terms = analyzer.terms(text);
//! assert_eq!(terms[0].text, "hackers");
//! assert_eq!(&text[terms[0].span.range()], "Hackers");
//! ```
//!
//! **Invariant:** every [`Span`] this crate returns is in bounds and on char
//! boundaries of the text it was computed from; `&text[span.range()]` is the
//! exact source. Filters change a term's text, never its span.
#![deny(missing_docs)]
#![warn(clippy::unwrap_used)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod analyzer;
mod case;
mod charclass;
mod error;
mod paragraph;
mod porter2;
mod sentence;
mod span;
mod stem;
mod stopwords;
mod strmap;
mod word;

pub use analyzer::{Analyzer, AnalyzerConfig, Filter, Scratch, Term, MAX_NGRAM};
pub use case::push_lowercase;
pub use error::Error;
pub use paragraph::{article, blocks, paragraphs, Article};
pub use sentence::{is_script_terminator, sentences, SentenceSplitter};
pub use span::Span;
pub use stem::{Language, StemCache, Stemmer};
pub use stopwords::{StopList, StopSet, ENGLISH as ENGLISH_STOP_WORDS};
pub use strmap::{hash_str, ArenaCache, CacheSlot, StrMap, StrMapFull};
pub use word::{words, Pattern, Token, TokenKind, Words};
