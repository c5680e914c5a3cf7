//! The learned stage: the model file's round trip, and long-tail cues the
//! rules do not know that the shipped model keeps.

use super::super::tests::{reported, rules_report};
use super::model::{CueModel, Trainer};
use super::MODEL_BYTES;

#[test]
fn the_shipped_model_parses_and_round_trips() {
    let shipped = CueModel::from_bytes(MODEL_BYTES).expect("the shipped model parses");
    assert_eq!(shipped.to_bytes(), MODEL_BYTES);
    assert!(CueModel::from_bytes(&MODEL_BYTES[..100]).is_none());
    assert!(CueModel::from_bytes(b"").is_none());
}

#[test]
fn a_trained_model_scores_what_it_learned() {
    let mut trainer = Trainer::new(8, 0.0);
    for _ in 0..5 {
        trainer.learn(&[1, 2], true);
        trainer.learn(&[1, 3], false);
    }
    let m = trainer.model(0, i32::MIN);
    assert!(m.score(&[1, 2]) > m.score(&[1, 3]));
    let again = CueModel::from_bytes(&m.to_bytes()).unwrap();
    assert_eq!(again.score(&[1, 2]), m.score(&[1, 2]));
}

#[test]
fn long_tail_cues_get_an_attribution() {
    // The margin model keeps `expected that ...` and `expect the bill to
    // ...`, not `expected the bill to ...`: a ranking, not a rule.
    let text = "Democrats expected that the bill would pass the Senate easily.";
    assert!(!rules_report(text));
    assert_eq!(
        reported(text),
        [(
            "that the bill would pass the Senate easily",
            "Democrats",
            "expected"
        )]
    );
    let text = "Economists estimated that the deal would cost billions.";
    assert!(!rules_report(text));
    assert_eq!(
        reported(text),
        [(
            "that the deal would cost billions",
            "Economists",
            "estimated"
        )]
    );
    let text = "Officials are confident that the vaccine will be ready by spring.";
    assert!(!rules_report(text));
    assert_eq!(
        reported(text),
        [(
            "that the vaccine will be ready by spring",
            "Officials",
            "confident"
        )]
    );
}

#[test]
fn a_preposition_after_a_candidate_cue_is_where_not_what() {
    // As for the rules' cues: `wrote to the committee` says where.
    assert_eq!(reported("He wrote to the committee last week."), []);
    assert_eq!(
        reported("The senator wrote to the committee on Monday."),
        []
    );
}
