//! The built-in theme model on words that security vendors use to name threat
//! actors (Panda, Bear, Kitten, Typhoon...): in their everyday sense a
//! paragraph is `other`; as an actor's name beside what the actor did, it is
//! espionage. The sentences are written for this test and are not in the
//! training data (`datasets/themes`). Before other-197..226 were added, the
//! first one came out espionage (0.61, driven by "panda").

use std::io::Write;
use std::process::{Command, Stdio};

/// The standard output of `sift label ARGS -` (built-in model) on `text`.
fn label_stdin(args: &[&str], text: &str) -> Vec<u8> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sift"))
        .arg("label")
        .args(args)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// The labels `sift label` (built-in model) gives each paragraph of `text`.
fn labels(text: &str) -> Vec<Vec<String>> {
    let out = label_stdin(&["--format", "json"], text);
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    v["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            p["labels"].as_array().unwrap().iter().map(|l| l.as_str().unwrap().into()).collect()
        })
        .collect()
}

/// Each paragraph with its labels, the paragraphs given as one text.
fn each_labelled<'a>(paragraphs: &[&'a str]) -> Vec<(&'a str, Vec<String>)> {
    let got = labels(&paragraphs.join("\n\n"));
    assert_eq!(got.len(), paragraphs.len());
    paragraphs.iter().copied().zip(got).collect()
}

#[test]
fn animal_and_weather_words_are_not_espionage_by_themselves() {
    let everyday = [
        "The panda cub weighed just 150 grams at birth and will stay with its mother for \
         about two years.",
        "Keepers at the breeding centre weigh each panda every week and record how much \
         bamboo it leaves.",
        "Two kittens were found in a cardboard box outside the vet's surgery and are now \
         looking for a home.",
        "The bear was seen crossing the motorway at dawn before it disappeared into the \
         pine forest.",
        "The typhoon weakened as it moved inland, but rain is still expected to cause \
         landslides in the hills.",
    ];
    for (text, l) in each_labelled(&everyday) {
        assert_eq!(l, ["other"], "{text}");
    }
}

/// Words that threat reports and breach notices use all the time ("targets
/// government entities", "patient records", "a spreadsheet of customer
/// data"), in their everyday senses. These sentences found the problem (the
/// previous model put the first two in espionage, the fourth and fifth in
/// data_breach, the last barely in `other`); the training paragraphs written
/// for it (other-227..271) are different ones.
#[test]
fn everyday_senses_of_threat_and_breach_report_words_are_other() {
    let everyday = [
        "The government has set a target of planting thirty million trees by 2030.",
        "The government has set a target of building three hundred thousand homes a year.",
        "The retailer missed its sales target for the Christmas quarter and cut its profit \
         forecast.",
        "The spreadsheet showed that the council spent more on consultants than on road \
         repairs last year.",
        "Patients with the cochlear implant were able to follow conversations in noisy \
         rooms, the study found.",
        "Patients waited an average of five hours in the emergency department last winter, \
         the health board said.",
        "Ministers were accused of a backdoor tax rise after freezing income tax thresholds \
         for another two years.",
    ];
    for (text, l) in each_labelled(&everyday) {
        assert_eq!(l, ["other"], "{text}");
    }
}

#[test]
fn the_same_words_as_actor_names_stay_espionage() {
    let actors = [
        "Investigators said the intrusions at three telecom operators were the work of a \
         China-linked group they track as Granite Panda, which has targeted government \
         networks since 2015.",
        "Charming Kitten sent spear-phishing emails posing as journalists to nuclear \
         scientists and officials abroad.",
        "The campaign by Cozy Bear used phishing emails that impersonated diplomats to \
         install a backdoor on foreign ministry computers.",
    ];
    for (text, l) in each_labelled(&actors) {
        assert!(l.iter().any(|x| x == "espionage"), "{text}: {l:?}");
    }
}

/// A paragraph that reaches no theme's threshold gets `other`, and the text
/// and HTML reports name the most probable theme beside it (here every
/// threshold is raised to 1 with `--threshold`, so no theme passes).
#[test]
fn a_paragraph_below_every_threshold_names_its_nearest_theme() {
    let text = "Charming Kitten sent spear-phishing emails posing as journalists to nuclear \
                scientists and officials abroad.";
    for (format, want) in [
        ("text", "(no theme reached its threshold; nearest espionage "),
        ("html", "no theme reached its threshold; nearest <span class=\"t1\">espionage</span> "),
    ] {
        let out = label_stdin(&["--threshold", "1", "--format", format], text);
        let page = String::from_utf8(out).unwrap();
        assert!(page.contains(want), "{format}: {page}");
    }
    // With the model's own thresholds, espionage is chosen and no note.
    let got = labels(text);
    assert_eq!(got, [["espionage"]]);
}
