//! `sift label --format html`: one self-contained page whatever the number
//! of articles, each paragraph's text exactly as in the input once tags are
//! removed, the highlighted terms those of the JSON output, and input text
//! never able to inject markup.

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn sift(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_sift")).current_dir(root()).args(args).output();
    let out = out.unwrap();
    assert!(out.status.success(), "sift {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

const SAMPLE: &str = "datasets/samples/chip-export-curbs.txt";

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The text of each `<p class="text">` element with its tags removed, and
/// the (label, text) of each `<mark>` in it.
fn paragraphs(page: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut out = Vec::new();
    for part in page.split("<p class=\"text\">").skip(1) {
        let inner = &part[..part.find("</p>").unwrap()];
        let mut text = String::new();
        let mut marks = Vec::new();
        let mut rest = inner;
        while let Some(i) = rest.find("<mark ") {
            text += &rest[..i];
            let open_end = rest[i..].find('>').unwrap() + i;
            let title = &rest[i..open_end];
            let label = title.split("title=\"").nth(1).unwrap().split(':').next().unwrap();
            let close = rest[open_end..].find("</mark>").unwrap() + open_end;
            let marked = &rest[open_end + 1..close];
            assert!(!marked.contains('<'), "nested tag in {marked}");
            marks.push((label.to_string(), unescape(marked)));
            text += marked;
            rest = &rest[close + "</mark>".len()..];
        }
        text += rest;
        assert!(!text.contains('<'), "unexpected tag in {text}");
        out.push((unescape(&text), marks));
    }
    out
}

#[test]
fn the_page_holds_each_paragraph_exactly_with_the_json_terms_marked() {
    let page = sift(&["label", SAMPLE, "--format", "html", "--explain", "3"]);
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.trim_end().ends_with("</html>"));
    assert_eq!(page.matches("<article>").count(), 1);
    assert!(!page.contains("<script"), "no scripts");
    let json = sift(&["label", SAMPLE, "--format", "json", "--explain", "3"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let expected = v["paragraphs"].as_array().unwrap();
    let got = paragraphs(&page);
    assert_eq!(got.len(), expected.len());
    let mut marked = 0;
    for ((text, marks), p) in got.iter().zip(expected) {
        assert_eq!(text, p["text"].as_str().unwrap());
        let terms = p["top_terms"].as_array().unwrap();
        for (label, m) in marks {
            assert!(
                terms.iter().any(|t| t["label"] == label.as_str() && t["text"] == m.as_str()),
                "{label}: {m} is not a top term of {terms:?}"
            );
        }
        // Every term is marked unless it overlaps a heavier one.
        assert!(!marks.is_empty() || terms.is_empty());
        marked += marks.len();
    }
    assert!(marked >= expected.len());
    // Labels and probabilities appear in each paragraph's heading.
    assert!(page.contains("<b class=\"t3\">trade_policy</b> 1.00"), "{page}");
}

#[test]
fn input_text_cannot_inject_markup() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("evil.txt");
    let body = "Spies </p><script>alert(\"x\")</script> stole <b>designs</b> & files from \
                the ministry's servers, intelligence officials said.\x1b[2J";
    std::fs::write(&f, format!("A <i>title</i>\n\n{body}\n")).unwrap();
    let page = sift(&["label", f.to_str().unwrap(), "--format", "html"]);
    assert!(!page.contains("<script") && !page.contains("<b>designs") && !page.contains("<i>"));
    assert!(
        page.contains("&lt;script&gt;") && page.contains("<h3>A &lt;i&gt;title&lt;/i&gt;</h3>")
    );
    assert!(!page.contains('\x1b'), "control characters are shown as symbols");
    let got = paragraphs(&page);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, body.replace('\x1b', "\u{241b}"));
    // A paragraph wrapped with CRLF line ends keeps them (no `␍` symbol).
    let g = dir.path().join("crlf.txt");
    let wrapped = "Spies stole designs from the ministry,\r\nofficials said on Tuesday.";
    std::fs::write(&g, format!("Title\r\n\r\n{wrapped}\r\n")).unwrap();
    let crlf = sift(&["label", g.to_str().unwrap(), "--format", "html"]);
    assert_eq!(paragraphs(&crlf)[0].0, wrapped);
    // The file name is escaped too.
    assert!(page.contains("evil.txt</h2>"));
}

#[test]
fn several_articles_make_one_page_and_an_empty_selection_a_complete_one() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("feed.jsonl");
    let records = [
        "Investigators said the intelligence service recruited an engineer to copy design files.",
        "The minister announced new tariffs on imported steel and a quota on aluminium.",
        "The home side won the cup final after extra time, with two late goals.",
    ];
    let mut lines = String::new();
    for (i, r) in records.iter().enumerate() {
        lines += &serde_json::json!({"id": format!("r{i}"), "text": r}).to_string();
        lines.push('\n');
    }
    std::fs::write(&f, lines).unwrap();
    let path = f.to_str().unwrap();
    let page = sift(&["label", "--jsonl", path, "--format", "html"]);
    assert_eq!(page.matches("<!DOCTYPE html>").count(), 1);
    assert_eq!(page.matches("</html>").count(), 1);
    assert_eq!(page.matches("<article>").count(), 3);
    for (i, r) in records.iter().enumerate() {
        assert!(page.contains(&format!("<h2>r{i}</h2>")));
        assert_eq!(paragraphs(&page)[i].0, *r);
    }
    // --only keeps the espionage record alone.
    let only = sift(&["label", "--jsonl", path, "--format", "html", "--only", "espionage"]);
    assert_eq!(only.matches("<article>").count(), 1);
    assert!(only.contains("<h2>r0</h2>"));
    // Nothing kept (no espionage in the last two records): still a whole
    // page, which says so.
    let g = dir.path().join("rest.jsonl");
    let text = std::fs::read_to_string(&f).unwrap();
    std::fs::write(&g, text.lines().skip(1).collect::<Vec<_>>().join("\n")).unwrap();
    let rest = g.to_str().unwrap();
    let none = sift(&["label", "--jsonl", rest, "--format", "html", "--only", "espionage"]);
    assert!(none.starts_with("<!DOCTYPE html>") && none.trim_end().ends_with("</html>"));
    assert!(none.contains("No article to show.") && !none.contains("<article>"));
}
