//! Development probe: how well a single-label model's probabilities are
//! calibrated on a labelled JSON Lines file (`calprobe MODEL DATA`, DATA
//! relative to ../shared/data): accuracy, log loss, Brier score, and the
//! expected calibration error of the top label (15 equal-width bins).
use sift_classify::Model;

fn main() {
    let mut args = std::env::args().skip(1);
    let (path, data) = (args.next().expect("MODEL"), args.next().expect("DATA"));
    let model = Model::load(std::path::Path::new(&path)).expect("model");
    let texts = sift_benches::read_field(&data, "text");
    let labels = sift_benches::read_field(&data, "label");
    let preds = model.predict(&texts, None);
    let (mut ll, mut brier, mut right) = (0.0f64, 0.0f64, 0usize);
    let mut bins = vec![(0.0f64, 0.0f64, 0usize); 15];
    for (p, l) in preds.iter().zip(&labels) {
        let y = model.labels().iter().position(|x| x == l).expect("known label");
        let pr = &p.probabilities;
        ll -= f64::from(pr[y]).max(1e-15).ln();
        brier += pr
            .iter()
            .enumerate()
            .map(|(c, &q)| (f64::from(q) - f64::from(u8::from(c == y))).powi(2))
            .sum::<f64>();
        let top = p.labels[0];
        right += usize::from(top == y);
        let conf = f64::from(pr[top]);
        let b = ((conf * 15.0) as usize).min(14);
        bins[b].0 += conf;
        bins[b].1 += f64::from(u8::from(top == y));
        bins[b].2 += 1;
    }
    let n = texts.len() as f64;
    let ece: f64 = bins.iter().map(|&(c, a, k)| if k == 0 { 0.0 } else { (c - a).abs() / n }).sum();
    println!(
        "{path}: accuracy {:.4}  log loss {:.4}  Brier {:.4}  ECE {:.4}",
        right as f64 / n,
        ll / n,
        brier / n,
        ece
    );
}
