//! A document ready for scoring: its title, sentences (byte spans,
//! paragraph, word counts) and TF-IDF sentence vectors.
//!
//! Per-article vocabularies are tiny (a few hundred terms), so vectors are
//! built here with a small map rather than by fitting a corpus vectorizer
//! per article (which sizes its tables for millions of words); a fitted
//! [`sift_tfidf::TfidfVectorizer`] can supply background IDF instead.

use rustc_hash::FxHashMap;
use sift_tfidf::TfidfVectorizer;
use sift_tokenize::{article, Analyzer, Scratch, SentenceSplitter, Span};

/// One candidate sentence.
#[derive(Clone, Debug, PartialEq)]
pub struct Sentence {
    /// Byte span in the text.
    pub span: Span,
    /// Index of its paragraph (body paragraphs, title excluded).
    pub paragraph: usize,
    /// Words, as budgets count them: whitespace-separated words, where three
    /// Han or kana characters count as two words (see [`count_words`]).
    pub words: usize,
    /// Words with at least one letter (numbers and symbols excluded), three
    /// Han or kana characters counting as two.
    pub letter_words: usize,
    /// Term ids in order (stop words dropped).
    pub terms: Vec<u32>,
    /// Sparse TF-IDF vector: (term id, value), L2-normalized.
    pub vector: Vec<(u32, f32)>,
}

/// How the first line is treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TitleMode {
    /// A first line that looks like a headline (a paragraph of its own,
    /// not ending with a full stop) is the title.
    Auto,
    /// The first line is always the title.
    FirstLine,
    /// No title.
    None,
}

/// A parsed document.
#[derive(Clone, Debug)]
pub struct Document {
    /// The title span, if any (never a candidate).
    pub title: Option<Span>,
    /// Title terms (ids in the same space as sentence vectors).
    pub title_terms: Vec<u32>,
    /// Candidate sentences in document order.
    pub sentences: Vec<Sentence>,
    /// Number of distinct terms.
    pub n_terms: usize,
}

/// Reusable state for building documents.
pub struct Builder<'a> {
    analyzer: &'a Analyzer,
    background: Option<&'a TfidfVectorizer>,
    scratch: Scratch,
    terms: FxHashMap<String, u32>,
}

impl<'a> Builder<'a> {
    /// A builder using `analyzer`'s terms, with IDF from the document's own
    /// sentences or from `background`.
    pub fn new(analyzer: &'a Analyzer, background: Option<&'a TfidfVectorizer>) -> Self {
        Builder { analyzer, background, scratch: analyzer.scratch(), terms: FxHashMap::default() }
    }

    fn term_ids(&mut self, text: &str, out: &mut Vec<u32>) {
        let Builder { analyzer, scratch, terms, .. } = self;
        for tok in analyzer.words(text) {
            if let Some(t) = analyzer.normalize(text, tok, scratch) {
                let next = terms.len() as u32;
                let id = match terms.get(t) {
                    Some(&id) => id,
                    None => {
                        terms.insert(t.to_string(), next);
                        next
                    }
                };
                out.push(id);
            }
        }
    }

    /// Parses `text`.
    pub fn build(&mut self, text: &str, title: TitleMode) -> Document {
        self.terms.clear();
        let art = article(text);
        let (title_span, paragraphs) = match title {
            TitleMode::Auto => (art.title, art.paragraphs),
            TitleMode::None => {
                let mut ps: Vec<Span> = art.title.into_iter().collect();
                ps.extend(art.paragraphs);
                (None, ps)
            }
            TitleMode::FirstLine => {
                let first = text.find('\n').map_or(text.len(), |i| i);
                let t = text[..first].trim();
                let start = text[..first].find(t).unwrap_or(0);
                let span = (!t.is_empty()).then(|| Span::new(start, start + t.len()));
                let body_from = span.map_or(0, |s| s.end);
                let ps = sift_tokenize::paragraphs(&text[body_from..])
                    .into_iter()
                    .map(|p| Span::new(p.start + body_from, p.end + body_from))
                    .collect();
                (span, ps)
            }
        };
        let mut title_terms = Vec::new();
        if let Some(t) = title_span {
            self.term_ids(t.text(text), &mut title_terms);
        }
        let splitter = SentenceSplitter::shared();
        let mut spans = Vec::new();
        let mut sentences = Vec::new();
        let mut ids = Vec::new();

        for (pi, p) in paragraphs.iter().enumerate() {
            spans.clear();
            splitter.split_span(text, *p, &mut spans);
            for s in &spans {
                let (words, letter_words) = count_words(s.text(text));
                ids.clear();
                self.term_ids(s.text(text), &mut ids);
                sentences.push(Sentence {
                    span: *s,
                    paragraph: pi,
                    words,
                    letter_words,
                    terms: ids.clone(),
                    vector: Vec::new(),
                });
            }
        }
        let n_terms = self.terms.len();
        let raw: Vec<&[u32]> = sentences.iter().map(|s| s.terms.as_slice()).collect();
        // IDF: background columns when given, else smoothed over sentences.
        let idf: Vec<f32> = match self.background {
            Some(bg) => {
                let bg_idf = bg.idf();
                let mut v = vec![1.0f32; n_terms];
                for (t, &id) in &self.terms {
                    if let (Some(col), Some(idf)) = (bg.column_of(t), bg_idf) {
                        v[id as usize] = idf[col] as f32;
                    } else if let Some(idf) = bg_idf {
                        // Unseen in the background: as rare as the rarest.
                        v[id as usize] = idf.iter().cloned().fold(1.0, f64::max) as f32;
                    }
                }
                v
            }
            None => {
                let mut df = vec![0u32; n_terms];
                for r in &raw {
                    let mut seen: Vec<u32> = r.to_vec();
                    seen.sort_unstable();
                    seen.dedup();
                    for t in seen {
                        df[t as usize] += 1;
                    }
                }
                let n = raw.len() as f32;
                df.iter().map(|&d| ((1.0 + n) / (1.0 + d as f32)).ln() + 1.0).collect()
            }
        };
        for s in sentences.iter_mut() {
            let mut counts: Vec<(u32, f32)> = Vec::new();
            let mut sorted = s.terms.clone();
            sorted.sort_unstable();
            for t in sorted {
                match counts.last_mut() {
                    Some((id, c)) if *id == t => *c += 1.0,
                    _ => counts.push((t, 1.0)),
                }
            }
            let mut norm = 0.0f32;
            for (t, c) in counts.iter_mut() {
                *c = (1.0 + c.ln()) * idf[*t as usize];
                norm += *c * *c;
            }
            let norm = norm.sqrt();
            if norm > 0.0 {
                counts.iter_mut().for_each(|(_, c)| *c /= norm);
            }
            s.vector = counts;
        }
        Document { title: title_span, title_terms, sentences, n_terms }
    }
}

/// A sentence's words and letter words (see [`Sentence`]). Chinese and
/// Japanese put no spaces between words, and the tokenizer makes each Han or
/// kana character a word of its own; running Chinese text averages about one
/// and a half characters per word, so three such characters count as two
/// words (rounded up). Length
/// budgets (`--words`, `--ratio`) and the fragment rule ([`crate::score::is_content`])
/// then mean about the same in every script; text without them counts as
/// before, by whitespace.
pub fn count_words(sentence: &str) -> (usize, usize) {
    use sift_tokenize::{Pattern, TokenKind};
    let (mut letter_words, mut ideographs) = (0usize, 0usize);
    for t in sift_tokenize::words(sentence, Pattern::Sift) {
        match t.kind {
            TokenKind::Word => letter_words += 1,
            TokenKind::Ideograph => ideographs += 1,
            TokenKind::Number => {}
        }
    }
    if ideographs == 0 {
        return (sentence.split_whitespace().count(), letter_words);
    }
    // Whitespace-separated chunks without Han or kana count one each; those
    // with them count by their characters.
    let plain = sentence
        .split_whitespace()
        .filter(|chunk| {
            !sift_tokenize::words(chunk, Pattern::Sift).any(|t| t.kind == TokenKind::Ideograph)
        })
        .count();
    let cjk = (2 * ideographs).div_ceil(3);
    (plain + cjk, letter_words + cjk)
}

/// Cosine of two L2-normalized sparse vectors sorted by term id.
pub fn cosine(a: &[(u32, f32)], b: &[(u32, f32)]) -> f32 {
    let (mut i, mut j, mut s) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                s += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    s
}

impl Document {
    /// Whether the graph-based scorers build their graph for this document:
    /// at most [`crate::MAX_GRAPH_SENTENCES`] sentences.
    pub fn graph_fits(&self) -> bool {
        self.sentences.len() <= crate::MAX_GRAPH_SENTENCES
    }

    /// Row `i` of [`Document::similarities`], computed alone: what MMR needs
    /// for each pick, in memory linear in the number of sentences.
    pub fn similarity_row(&self, i: usize) -> Vec<f32> {
        let v = &self.sentences[i].vector;
        self.sentences
            .iter()
            .enumerate()
            .map(|(j, s)| if j == i { self.self_similarity(i) } else { cosine(v, &s.vector) })
            .collect()
    }

    /// A sentence's similarity to itself: 1, or 0 when it has no terms.
    fn self_similarity(&self, i: usize) -> f32 {
        if self.sentences[i].vector.is_empty() {
            0.0
        } else {
            1.0
        }
    }

    /// The dense cosine-similarity matrix of the sentences (row-major):
    /// n x n values, so only for documents whose graph fits
    /// ([`Document::graph_fits`]); the summarizer never asks for more.
    pub fn similarities(&self) -> Vec<f32> {
        let n = self.sentences.len();
        let mut m = vec![0.0f32; n * n];
        for i in 0..n {
            m[i * n + i] = self.self_similarity(i);
            for j in i + 1..n {
                let s = cosine(&self.sentences[i].vector, &self.sentences[j].vector);
                m[i * n + j] = s;
                m[j * n + i] = s;
            }
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_count_by_whitespace_and_three_ideographs_as_two() {
        // `$10.9bn` has letters; `2004.` does not.
        assert_eq!(count_words("The U.S. firm paid $10.9bn in 2004."), (7, 6));
        // 22 Han characters: 15 words (14.67 rounded up).
        assert_eq!(count_words("中国商务部周二宣布对部分芯片设备实施出口管制。"), (15, 15));
        // Mixed: "The ministry said:" is 3 words, 6 characters 4 more.
        assert_eq!(count_words("The ministry said: 规定下月生效。"), (7, 7));
        // Chunks with Han count by characters (8: 6 words), `2024` by
        // whitespace.
        assert_eq!(count_words("据报道 2024 年 出口 增长"), (7, 6));
        assert_eq!(count_words("彼は述べた"), (4, 4));
        assert_eq!(count_words(""), (0, 0));
    }

    #[test]
    fn chinese_sentences_are_content_and_the_lead_is_kept() {
        let text = "中国商务部周二宣布对部分芯片设备实施出口管制。这一措施将于下月生效。\
                    官员表示此举是为了维护国家安全。分析人士认为这将影响全球供应链。\
                    记者王明。";
        let analyzer = Analyzer::new(sift_tokenize::AnalyzerConfig::default()).unwrap();
        let doc = Builder::new(&analyzer, None).build(text, TitleMode::Auto);
        let content: Vec<bool> = doc.sentences.iter().map(crate::score::is_content).collect();
        // The byline of four characters is a fragment; the rest is content.
        assert_eq!(content, [true, true, true, true, false]);
        let (_, anchors) = crate::score::sift_default(&doc);
        assert_eq!(anchors, [0, 1, 2]);
    }
}
