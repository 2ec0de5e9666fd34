//! `sift eval --report`: a self-contained HTML page (inline CSS and SVG, no
//! scripts, no network) with the headline metrics, a confusion-matrix heat
//! map and per-label precision / recall bars.

use sift_classify::metrics::Report;
use std::fmt::Write as _;

/// Escapes text for HTML and SVG.
pub(crate) fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// The page for `r`: `model` and `data` name what was evaluated.
pub fn html(r: &Report, model: &str, data: &[String]) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>sift eval: {}</title>\n<style>\n\
         body{{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:60rem;color:#222;padding:0 1rem}}\n\
         h1{{font-size:1.4rem}} h2{{font-size:1.1rem;margin-top:2rem}}\n\
         table{{border-collapse:collapse}} td,th{{padding:.25rem .75rem;text-align:right}} th:first-child,td:first-child{{text-align:left}}\n\
         tr:nth-child(even){{background:#f5f5f5}} .muted{{color:#666}} .big{{font-size:1.5rem;font-weight:600}}\n\
         .cards{{display:flex;gap:2rem;flex-wrap:wrap}} svg text{{font-family:inherit}}\n\
         </style>\n</head>\n<body>\n",
        esc(model)
    );
    let _ = writeln!(s, "<h1>Evaluation of <code>{}</code></h1>", esc(model));
    let _ = writeln!(
        s,
        "<p class=\"muted\">Data: {} ({} examples). Written by sift {}.</p>",
        data.iter().map(|d| format!("<code>{}</code>", esc(d))).collect::<Vec<_>>().join(", "),
        r.n,
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(s, "<div class=\"cards\">");
    let mut cards =
        vec![("accuracy", r.accuracy), ("micro-F1", r.micro_f1), ("macro-F1", r.macro_f1)];
    if let Some(p) = &r.probabilities {
        cards.extend([("log loss", p.log_loss), ("Brier score", p.brier)]);
    }
    for (name, v) in cards {
        let _ = writeln!(
            s,
            "<div><div class=\"big\">{v:.4}</div><div class=\"muted\">{name}</div></div>"
        );
    }
    let _ = writeln!(s, "</div>");
    let _ = writeln!(s, "<h2>Per label</h2>\n<table>\n<tr><th>label</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>");
    for l in &r.per_label {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{:.4}</td><td>{:.4}</td><td>{:.4}</td><td>{}</td></tr>",
            esc(&l.label),
            l.precision,
            l.recall,
            l.f1,
            l.support
        );
    }
    let _ = writeln!(s, "</table>");
    s += &bars(r);
    if let Some(c) = &r.confusion {
        let _ = writeln!(
            s,
            "<h2>Confusion matrix</h2>\n<p class=\"muted\">Rows: true label; columns: predicted \
             label. Colour: share of the row.{}</p>",
            if c.labels.last().is_some_and(|l| l == "(none)") {
                " An example with several labels counts once per (true, predicted) pair; \
                 (none): no label."
            } else {
                ""
            }
        );
        s += &heat_map(&c.labels, &c.matrix);
    }
    s += "</body>\n</html>\n";
    s
}

/// Horizontal precision and recall bars per label.
fn bars(r: &Report) -> String {
    let label_w =
        10.0 + 7.5 * r.per_label.iter().map(|l| l.label.chars().count()).max().unwrap_or(5) as f64;
    let bar_w = 400.0;
    let row_h = 34.0;
    let h = 30.0 + row_h * r.per_label.len() as f64;
    let w = label_w + bar_w + 60.0;
    let mut s = String::new();
    let _ = writeln!(s, "<h2>Precision and recall</h2>");
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" role=\"img\" aria-label=\"precision and recall per label\">"
    );
    let _ = writeln!(s, "<rect x=\"{label_w:.0}\" y=\"4\" width=\"12\" height=\"10\" fill=\"#3b6fb6\"/><text x=\"{:.0}\" y=\"13\" font-size=\"12\">precision</text>", label_w + 16.0);
    let _ = writeln!(s, "<rect x=\"{:.0}\" y=\"4\" width=\"12\" height=\"10\" fill=\"#e08a2c\"/><text x=\"{:.0}\" y=\"13\" font-size=\"12\">recall</text>", label_w + 90.0, label_w + 106.0);
    for (i, l) in r.per_label.iter().enumerate() {
        let y = 24.0 + row_h * i as f64;
        let _ = writeln!(
            s,
            "<text x=\"{:.0}\" y=\"{:.0}\" font-size=\"13\" text-anchor=\"end\">{}</text>",
            label_w - 8.0,
            y + 19.0,
            esc(&l.label)
        );
        for (j, (v, color)) in [(l.precision, "#3b6fb6"), (l.recall, "#e08a2c")].iter().enumerate()
        {
            let yy = y + 3.0 + 13.0 * j as f64;
            let _ = writeln!(
                s,
                "<rect x=\"{label_w:.0}\" y=\"{yy:.0}\" width=\"{:.1}\" height=\"12\" fill=\"{color}\"><title>{} {}: {v:.4}</title></rect>\
                 <text x=\"{:.1}\" y=\"{:.0}\" font-size=\"11\">{v:.3}</text>",
                bar_w * v.clamp(0.0, 1.0),
                esc(&l.label),
                if j == 0 { "precision" } else { "recall" },
                label_w + bar_w * v.clamp(0.0, 1.0) + 4.0,
                yy + 10.0
            );
        }
    }
    s += "</svg>\n";
    s
}

/// The confusion matrix as an SVG heat map, shaded by row share.
fn heat_map(labels: &[String], m: &[Vec<usize>]) -> String {
    let k = labels.len();
    let cell = 56.0;
    let label_w = 10.0 + 7.5 * labels.iter().map(|l| l.chars().count()).max().unwrap_or(5) as f64;
    let top = label_w;
    let w = label_w + cell * k as f64 + 10.0;
    let h = top + cell * k as f64 + 10.0;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" role=\"img\" aria-label=\"confusion matrix\">"
    );
    for (j, l) in labels.iter().enumerate() {
        let x = label_w + cell * j as f64 + cell / 2.0;
        let _ = writeln!(
            s,
            "<text transform=\"translate({x:.1},{:.1}) rotate(-45)\" font-size=\"12\">{}</text>",
            top - 6.0,
            esc(l)
        );
    }
    for (i, row) in m.iter().enumerate() {
        let total: usize = row.iter().sum();
        let y = top + cell * i as f64;
        let _ = writeln!(
            s,
            "<text x=\"{:.0}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"end\">{}</text>",
            label_w - 8.0,
            y + cell / 2.0 + 4.0,
            esc(&labels[i])
        );
        for (j, &n) in row.iter().enumerate() {
            let share = if total == 0 { 0.0 } else { n as f64 / total as f64 };
            // White to deep blue on the diagonal, to deep red elsewhere.
            let (r, g, b) = if i == j { (33.0, 102.0, 172.0) } else { (178.0, 24.0, 43.0) };
            let mix = |c: f64| (255.0 - (255.0 - c) * share).round() as u8;
            let x = label_w + cell * j as f64;
            let text_color = if share > 0.5 { "#fff" } else { "#222" };
            let _ = writeln!(
                s,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{cell:.0}\" height=\"{cell:.0}\" fill=\"rgb({},{},{})\" stroke=\"#fff\">\
                 <title>true {} / predicted {}: {n} ({:.1}% of the row)</title></rect>\
                 <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\" fill=\"{text_color}\">{n}</text>",
                mix(r),
                mix(g),
                mix(b),
                esc(&labels[i]),
                esc(&labels[j]),
                100.0 * share,
                x + cell / 2.0,
                y + cell / 2.0 + 4.0
            );
        }
    }
    s += "</svg>\n";
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use sift_classify::metrics;

    #[test]
    fn the_page_is_self_contained_and_escapes_labels() {
        let labels = vec!["a<b".to_string(), "c&d".to_string()];
        let r = metrics::single_label(&labels, &[0, 0, 1], &[0, 1, 1]);
        let page = html(&r, "m.sift", &["t.jsonl".to_string()]);
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(page.contains("a&lt;b") && page.contains("c&amp;d"));
        assert!(!page.contains("a<b") && !page.contains("c&d"));
        for external in ["src=", "href=", "url(", "@import", "<script", "<link"] {
            assert!(!page.contains(external), "{external}");
        }
        // two SVGs: the bars and the heat map with a cell per pair
        assert_eq!(page.matches("<svg").count(), 2);
        assert_eq!(page.matches("of the row)").count(), 4);
        assert!(page.contains("true a&lt;b / predicted c&amp;d: 1 (50.0% of the row)"));
        assert!(!page.contains("log loss"));
        // Scored probabilities get their own cards.
        let mut r = r;
        r.probabilities = Some(metrics::ProbabilityScores { log_loss: 0.25, brier: 0.125 });
        let page = html(&r, "m.sift", &["t.jsonl".to_string()]);
        assert!(page.contains(">0.2500</div><div class=\"muted\">log loss<"), "{page}");
        assert!(page.contains(">0.1250</div><div class=\"muted\">Brier score<"));
    }
}
