//! Labelling articles paragraph by paragraph: what `sift label` prints.
//!
//! An article is split into an optional title and body paragraphs
//! ([`sift_tokenize::article`]); every paragraph gets each label's
//! probability, the labels the model chooses (for a multi-label model: every
//! label at or above its threshold, possibly none), and the terms that
//! pushed the chosen labels' scores most, with their exact contributions
//! (TF-IDF value times weight). The article's own themes are those of the
//! whole text (title and body classified as one text) and those whose
//! paragraphs make up a good share of the body ([`ARTICLE_SHARE`]).
//!
//! All paragraphs of a batch of articles are vectorized in one call, so
//! labelling many short articles costs little more than their paragraphs.

use crate::model::{Contribution, Model, Prediction};
use sift_tokenize::Span;

/// Options of [`Model::label_articles`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LabelOptions {
    /// Overrides the model's per-label thresholds (multi-label models).
    pub threshold: Option<f32>,
    /// Terms to report per chosen label and paragraph (0: none).
    pub explain: usize,
}

impl Default for LabelOptions {
    fn default() -> Self {
        LabelOptions { threshold: None, explain: 5 }
    }
}

/// A term that drove a paragraph's label.
#[derive(Clone, Debug, PartialEq)]
pub struct TermContribution {
    /// Index of the label whose score the term raised.
    pub label: usize,
    /// The term and its contribution.
    pub contribution: Contribution,
    /// Where the term first occurs in the article (byte span of the words
    /// it came from), to show the surface form of a stemmed term.
    pub first: Option<Span>,
}

/// One labelled paragraph.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelledParagraph {
    /// Byte span of the paragraph in the article.
    pub span: Span,
    /// Probabilities, labels and scores.
    pub prediction: Prediction,
    /// For each chosen label (or, when none is chosen, the most probable
    /// one), its strongest terms, in that label order and by decreasing
    /// contribution.
    pub top_terms: Vec<TermContribution>,
}

/// One labelled article.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelledArticle {
    /// The title line, when the article has one.
    pub title: Option<Span>,
    /// The article as a whole (title and body as one text).
    pub article: Prediction,
    /// For each label, the share of the body's bytes in paragraphs that
    /// have it.
    pub shares: Vec<f32>,
    /// The article's themes: the labels of the whole text, and every label
    /// whose paragraphs make up at least [`ARTICLE_SHARE`] of the body (the
    /// model's none label only when nothing else is), by decreasing share.
    pub labels: Vec<usize>,
    /// The body paragraphs, in order.
    pub paragraphs: Vec<LabelledParagraph>,
}

/// The share of an article's body a label's paragraphs need for the label
/// to be one of the article's themes.
pub const ARTICLE_SHARE: f32 = 0.25;

impl Model {
    /// Labels each article and its paragraphs (see the module docs).
    pub fn label_articles<S: AsRef<str> + Sync>(
        &self,
        articles: &[S],
        opts: LabelOptions,
    ) -> Vec<LabelledArticle> {
        let parsed: Vec<sift_tokenize::Article> =
            articles.iter().map(|a| sift_tokenize::article(a.as_ref())).collect();
        // One batch: every article's full text, then every paragraph.
        let mut texts: Vec<&str> = articles.iter().map(|a| a.as_ref()).collect();
        for (a, p) in articles.iter().zip(&parsed) {
            texts.extend(p.paragraphs.iter().map(|s| s.text(a.as_ref())));
        }
        let (x, mut preds) = self.predict_rows(&texts, opts.threshold);
        // Rows 0..n are the articles, then the paragraphs in order.
        let mut paragraph_preds = preds.split_off(articles.len()).into_iter();
        let mut row = articles.len();
        let mut out = Vec::with_capacity(articles.len());
        for (p, article) in parsed.into_iter().zip(preds) {
            let mut paragraphs = Vec::with_capacity(p.paragraphs.len());
            for (&span, prediction) in p.paragraphs.iter().zip(paragraph_preds.by_ref()) {
                let (cols, vals) = x.row(row);
                row += 1;
                let mut top_terms = Vec::new();
                if opts.explain > 0 {
                    for c in explained_labels(&prediction) {
                        top_terms.extend(
                            self.explain_row(cols, vals, c, opts.explain).into_iter().map(
                                |contribution| TermContribution {
                                    label: c,
                                    contribution,
                                    first: None,
                                },
                            ),
                        );
                    }
                    locate(
                        self,
                        span.text(text_of(articles, out.len())),
                        span.start,
                        &mut top_terms,
                    );
                }
                paragraphs.push(LabelledParagraph { span, prediction, top_terms });
            }
            let (shares, labels) = self.article_themes(&article, &paragraphs);
            out.push(LabelledArticle { title: p.title, article, shares, labels, paragraphs });
        }
        out
    }
}

impl Model {
    fn article_themes(
        &self,
        article: &Prediction,
        paragraphs: &[LabelledParagraph],
    ) -> (Vec<f32>, Vec<usize>) {
        let k = self.labels().len();
        let mut shares = vec![0.0f32; k];
        let total: usize = paragraphs.iter().map(|p| p.span.len()).sum();
        if total > 0 {
            for p in paragraphs {
                for &c in &p.prediction.labels {
                    shares[c] += p.span.len() as f32 / total as f32;
                }
            }
        }
        let mut labels: Vec<usize> =
            (0..k).filter(|&c| article.labels.contains(&c) || shares[c] >= ARTICLE_SHARE).collect();
        if let Some(n) = self.none_label() {
            if labels.len() > 1 {
                labels.retain(|&c| c != n);
            }
        }
        labels.sort_by(|&a, &b| {
            shares[b]
                .total_cmp(&shares[a])
                .then(article.probabilities[b].total_cmp(&article.probabilities[a]))
                .then(a.cmp(&b))
        });
        (shares, labels)
    }
}

fn text_of<S: AsRef<str>>(articles: &[S], i: usize) -> &str {
    articles[i].as_ref()
}

/// Fills in where each term first occurs in the paragraph `text`, which
/// starts at byte `offset` of its article.
fn locate(m: &Model, text: &str, offset: usize, terms: &mut [TermContribution]) {
    if terms.is_empty() {
        return;
    }
    let mut missing = terms.len();
    for t in m.vectorizer().analyzer().terms(text) {
        for tc in terms.iter_mut().filter(|tc| tc.first.is_none() && tc.contribution.term == t.text)
        {
            tc.first = Some(Span::new(t.span.start + offset, t.span.end + offset));
            missing -= 1;
        }
        if missing == 0 {
            break;
        }
    }
}

/// The labels whose terms are reported: the chosen ones, or the most
/// probable one when none is chosen.
fn explained_labels(p: &Prediction) -> Vec<usize> {
    if p.labels.is_empty() && !p.probabilities.is_empty() {
        vec![crate::argmax(&p.probabilities)]
    } else {
        p.labels.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{train, Example, TrainParams};

    /// A small theme model from the first paragraphs of `datasets/themes`.
    fn model() -> Model {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../datasets/themes");
        let mut examples = Vec::new();
        for f in ["espionage", "trade_policy", "data_breach", "other", "mixed"] {
            let text = std::fs::read_to_string(root.join(format!("{f}.jsonl"))).unwrap();
            for line in text.lines().take(60) {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                examples.push(Example {
                    text: v["text"].as_str().unwrap().to_string(),
                    labels: v["labels"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|l| l.as_str().unwrap().to_string())
                        .collect(),
                });
            }
        }
        let p = TrainParams {
            multi_label: true,
            none_label: Some("other".into()),
            ..TrainParams::default()
        };
        train(&p, &examples).unwrap().model
    }

    const ARTICLE: &str = "Spy case prompts export curbs\n\n\
        The ministry will require export licences for chip-making tools after an engineer \
        was charged with passing designs to a foreign intelligence officer.\n\n\
        Hackers stole the names, addresses and card numbers of 40,000 customers \
        from the retailer's website, the company said.\n\n\
        The home side won the cup final 2-1 in front of a sold-out crowd.";

    #[test]
    fn paragraphs_terms_and_themes() {
        let m = model();
        let other = m.labels().iter().position(|l| l == "other").unwrap();
        let out = m.label_articles(&[ARTICLE], LabelOptions { threshold: None, explain: 4 });
        let a = &out[0];
        assert_eq!(a.title.map(|t| t.text(ARTICLE)), Some("Spy case prompts export curbs"));
        let spans: Vec<Span> = sift_tokenize::article(ARTICLE).paragraphs;
        assert_eq!(a.paragraphs.iter().map(|p| p.span).collect::<Vec<_>>(), spans);
        let name = |c: usize| m.labels()[c].as_str();
        let labels: Vec<Vec<&str>> = a
            .paragraphs
            .iter()
            .map(|p| p.prediction.labels.iter().map(|&c| name(c)).collect())
            .collect();
        assert!(labels[1].contains(&"data_breach"), "{labels:?}");
        assert_eq!(labels[2], ["other"], "{labels:?}");
        let analyzer = m.vectorizer().analyzer();
        for p in &a.paragraphs {
            // The none label fills in alone, never beside a theme.
            assert!(!p.prediction.labels.is_empty());
            assert!(p.prediction.labels.len() == 1 || !p.prediction.labels.contains(&other));
            assert!(p.prediction.labels.contains(&p.prediction.top()));
            for c in p.prediction.labels.iter().copied() {
                let w: Vec<f32> = p
                    .top_terms
                    .iter()
                    .filter(|t| t.label == c)
                    .map(|t| t.contribution.weight)
                    .collect();
                assert!(!w.is_empty() && w.len() <= 4);
                assert!(w.windows(2).all(|x| x[0] >= x[1]) && w.iter().all(|&x| x > 0.0));
            }
            for t in &p.top_terms {
                // The span is inside the paragraph and analyzes to the term.
                let s = t.first.expect("every reported term occurs in its paragraph");
                assert!(s.start >= p.span.start && s.end <= p.span.end);
                let again = analyzer.terms(s.text(ARTICLE));
                assert!(again.iter().any(|x| x.text == t.contribution.term), "{t:?}");
            }
        }
        // Shares: each paragraph has one label here except possibly the
        // first; every share is a fraction of the body.
        assert!(a.shares.iter().all(|&s| (0.0..=1.0).contains(&s)));
        assert!(a.shares.iter().sum::<f32>() >= 0.999);
        assert!(!a.labels.is_empty());
    }

    #[test]
    fn batches_equal_one_by_one_and_explain_zero_explains_nothing() {
        let m = model();
        let texts = [ARTICLE, "Tariffs on steel rose.", "", "One line only"];
        let opts = LabelOptions::default();
        let batch = m.label_articles(&texts, opts);
        for (t, b) in texts.iter().zip(&batch) {
            assert_eq!(&m.label_articles(&[*t], opts)[0], b);
        }
        assert!(batch[2].paragraphs.is_empty());
        let quiet = m.label_articles(&texts, LabelOptions { threshold: None, explain: 0 });
        assert!(quiet.iter().flat_map(|a| &a.paragraphs).all(|p| p.top_terms.is_empty()));
        // A threshold of 1 chooses no theme: the none label everywhere.
        let strict =
            m.label_articles(&[ARTICLE], LabelOptions { threshold: Some(1.0), explain: 0 });
        let other = m.labels().iter().position(|l| l == "other").unwrap();
        assert!(strict[0].paragraphs.iter().all(|p| p.prediction.labels == [other]));
    }

    #[test]
    fn the_none_label_rule() {
        use crate::model::without_none;
        let p = [0.9, 0.6, 0.2];
        assert_eq!(without_none(vec![0, 1], Some(2), &p), [0, 1]);
        assert_eq!(without_none(vec![], Some(2), &p), [2]);
        assert_eq!(without_none(vec![1, 2], Some(2), &[0.1, 0.6, 0.7]), [2]);
        assert_eq!(without_none(vec![1, 2], Some(2), &[0.1, 0.8, 0.7]), [1]);
        assert_eq!(without_none(vec![0, 1], None, &p), [0, 1]);
        assert_eq!(without_none(vec![], None, &p), Vec::<usize>::new());
    }
}
