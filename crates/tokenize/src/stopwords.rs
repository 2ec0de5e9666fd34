//! Stop words: a built-in English list and user lists.
//!
//! The English list was written for sift, grouped by grammatical role. It
//! keeps words that carry topic (numbers, months, "government", "trade") and
//! drops function words, auxiliaries and the most generic adverbs. Entries
//! are lowercase, with `'` as the apostrophe, because the stop-word filter
//! runs after lowercasing in every preset.

use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};

/// The built-in English stop words.
pub const ENGLISH: &[&str] = &[
    // articles and determiners
    "a",
    "an",
    "the",
    "this",
    "that",
    "these",
    "those",
    "each",
    "every",
    "either",
    "neither",
    "some",
    "any",
    "no",
    "none",
    "all",
    "both",
    "few",
    "many",
    "much",
    "more",
    "most",
    "less",
    "least",
    "several",
    "such",
    "other",
    "another",
    "own",
    "same",
    "enough",
    // personal, possessive and reflexive pronouns
    "i",
    "me",
    "my",
    "mine",
    "myself",
    "we",
    "us",
    "our",
    "ours",
    "ourselves",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
    "he",
    "him",
    "his",
    "himself",
    "she",
    "her",
    "hers",
    "herself",
    "it",
    "its",
    "itself",
    "they",
    "them",
    "their",
    "theirs",
    "themselves",
    "one",
    "ones",
    "oneself",
    // interrogatives and relatives
    "who",
    "whom",
    "whose",
    "which",
    "what",
    "whatever",
    "whichever",
    "whoever",
    "when",
    "whenever",
    "where",
    "wherever",
    "whereas",
    "whether",
    "why",
    "how",
    "however",
    // indefinite pronouns
    "anyone",
    "anybody",
    "anything",
    "anywhere",
    "everyone",
    "everybody",
    "everything",
    "everywhere",
    "someone",
    "somebody",
    "something",
    "somewhere",
    "nobody",
    "nothing",
    "nowhere",
    // prepositions
    "about",
    "above",
    "across",
    "after",
    "against",
    "along",
    "amid",
    "among",
    "amongst",
    "around",
    "as",
    "at",
    "before",
    "behind",
    "below",
    "beneath",
    "beside",
    "besides",
    "between",
    "beyond",
    "by",
    "despite",
    "down",
    "during",
    "except",
    "for",
    "from",
    "in",
    "inside",
    "into",
    "near",
    "of",
    "off",
    "on",
    "onto",
    "out",
    "outside",
    "over",
    "past",
    "per",
    "since",
    "than",
    "through",
    "throughout",
    "till",
    "to",
    "toward",
    "towards",
    "under",
    "underneath",
    "until",
    "unto",
    "up",
    "upon",
    "via",
    "with",
    "within",
    "without",
    // conjunctions
    "and",
    "but",
    "or",
    "nor",
    "so",
    "yet",
    "if",
    "unless",
    "because",
    "although",
    "though",
    "while",
    "whilst",
    "once",
    "then",
    "thus",
    "hence",
    "therefore",
    "otherwise",
    // auxiliary and copular verbs
    "am",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "have",
    "has",
    "had",
    "having",
    "do",
    "does",
    "did",
    "doing",
    "done",
    "can",
    "could",
    "may",
    "might",
    "must",
    "shall",
    "should",
    "will",
    "would",
    "ought",
    // contractions
    "i'm",
    "i've",
    "i'd",
    "i'll",
    "you're",
    "you've",
    "you'd",
    "you'll",
    "he's",
    "he'd",
    "he'll",
    "she's",
    "she'd",
    "she'll",
    "it's",
    "it'd",
    "it'll",
    "we're",
    "we've",
    "we'd",
    "we'll",
    "they're",
    "they've",
    "they'd",
    "they'll",
    "that's",
    "there's",
    "here's",
    "what's",
    "who's",
    "where's",
    "how's",
    "let's",
    "isn't",
    "aren't",
    "wasn't",
    "weren't",
    "hasn't",
    "haven't",
    "hadn't",
    "doesn't",
    "don't",
    "didn't",
    "won't",
    "wouldn't",
    "can't",
    "cannot",
    "couldn't",
    "shouldn't",
    "mustn't",
    "mightn't",
    "needn't",
    "shan't",
    // generic adverbs and particles
    "not",
    "also",
    "very",
    "too",
    "just",
    "only",
    "even",
    "still",
    "already",
    "again",
    "ever",
    "never",
    "always",
    "often",
    "sometimes",
    "now",
    "here",
    "there",
    "quite",
    "rather",
    "almost",
    "perhaps",
    "else",
    "instead",
    "indeed",
    "really",
    "well",
    "ago",
    "further",
    "furthermore",
    "moreover",
    "meanwhile",
    "nevertheless",
    "nonetheless",
    // generic quantifiers and fillers
    "etc",
    "via",
    "whose",
    "thereby",
    "therein",
    "thereof",
    "whereby",
    "wherein",
    "herein",
];

/// A set of stop words, compared after the filters that run before it.
#[derive(Clone, Debug, Default)]
pub struct StopSet {
    words: FxHashSet<Box<str>>,
}

impl StopSet {
    /// A set holding `words`.
    pub fn new<I, S>(words: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        StopSet { words: words.into_iter().map(|w| Box::from(w.as_ref())).collect() }
    }

    /// The built-in English list.
    pub fn english() -> Self {
        StopSet::new(ENGLISH.iter().copied())
    }

    /// `true` when `word` is a stop word.
    #[inline]
    pub fn contains(&self, word: &str) -> bool {
        self.words.contains(word)
    }

    /// Number of distinct stop words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// `true` when the set is empty.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

/// Which built-in list a stop-word filter starts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StopList {
    /// No built-in list: only the user's words.
    #[default]
    None,
    /// [`ENGLISH`].
    English,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_list_is_lowercase_and_covers_contractions() {
        let set = StopSet::english();
        for w in ENGLISH {
            assert_eq!(w.to_lowercase(), *w);
        }
        assert!(set.contains("the") && set.contains("don't") && set.contains("themselves"));
        assert!(!set.contains("trade") && !set.contains("government") && !set.contains("2004"));
    }
}
