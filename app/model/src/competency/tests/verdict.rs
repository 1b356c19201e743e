use super::*;

#[test]
fn the_same_reading_agrees_in_every_field() {
    let form = thyroid_form();
    let fields = compare(
        &form,
        &thyroid_reading(4, "solid"),
        &thyroid_reading(4, "solid"),
    );
    assert!(fields.iter().all(|f| f.agrees && !f.missed));
    assert_eq!(
        fields.iter().map(|f| f.key.as_str()).collect::<Vec<_>>(),
        ["tirads", "composition"]
    );
    assert_eq!(proposed_verdict(&fields), Verdict::Agree);
}

#[test]
fn a_window_the_learner_called_negative_and_the_reviewer_positive_is_a_missed_finding() {
    let form = efast_form();
    // Morison's pouch (window 0) fluid the learner did not see.
    let fields = compare(&form, &efast_reading(&[]), &efast_reading(&[0]));
    assert_eq!(
        fields,
        vec![FieldAgreement {
            key: "efast".into(),
            agrees: false,
            differing_windows: vec![0],
            missed: true,
        }]
    );
    assert_eq!(proposed_verdict(&fields), Verdict::MissedFinding);
    // Missed in the pelvis even though the learner called the pericardium positive.
    let fields = compare(&form, &efast_reading(&[3]), &efast_reading(&[2, 3]));
    assert_eq!(fields[0].differing_windows, vec![2]);
    assert_eq!(proposed_verdict(&fields), Verdict::MissedFinding);
}

#[test]
fn calling_a_finding_the_reviewer_does_not_see_is_a_disagreement() {
    let form = efast_form();
    let fields = compare(&form, &efast_reading(&[1, 4]), &efast_reading(&[]));
    assert_eq!(fields[0].differing_windows, vec![1, 4]);
    assert!(!fields[0].missed);
    assert_eq!(proposed_verdict(&fields), Verdict::Disagree);
}

#[test]
fn a_level_below_the_positive_level_against_one_at_it_is_a_missed_finding() {
    let form = thyroid_form();
    // TR3 (not suspicious) against TR4 (suspicious).
    let fields = compare(
        &form,
        &thyroid_reading(3, "solid"),
        &thyroid_reading(4, "solid"),
    );
    assert!(fields[0].missed);
    assert_eq!(proposed_verdict(&fields), Verdict::MissedFinding);
    // TR4 against TR5: both suspicious, a disagreement only.
    let fields = compare(
        &form,
        &thyroid_reading(4, "solid"),
        &thyroid_reading(5, "solid"),
    );
    assert_eq!((fields[0].agrees, fields[0].missed), (false, false));
    assert_eq!(proposed_verdict(&fields), Verdict::Disagree);
    // A field without call markers can differ but never miss.
    let fields = compare(
        &form,
        &thyroid_reading(4, "mixed"),
        &thyroid_reading(4, "solid"),
    );
    assert_eq!((fields[1].agrees, fields[1].missed), (false, false));
    assert_eq!(proposed_verdict(&fields), Verdict::Disagree);
}

#[test]
fn an_unanswered_field_is_a_disagreement() {
    let form = thyroid_form();
    let mut learner = thyroid_reading(4, "solid");
    learner.answers.remove("composition");
    let mut reviewer = thyroid_reading(4, "solid");
    reviewer.answers.remove("composition");
    let fields = compare(&form, &learner, &reviewer);
    assert!(!fields[1].agrees);
    assert_eq!(proposed_verdict(&fields), Verdict::Disagree);
}

#[test]
fn the_call_is_positive_when_any_marked_field_reports_a_finding() {
    let efast = efast_form();
    assert_eq!(
        finding_call(&efast, &efast_reading(&[])),
        Some(FindingCall::Negative)
    );
    assert_eq!(
        finding_call(&efast, &efast_reading(&[5])),
        Some(FindingCall::Positive)
    );
    let thyroid = thyroid_form();
    assert_eq!(
        finding_call(&thyroid, &thyroid_reading(3, "solid")),
        Some(FindingCall::Negative)
    );
    assert_eq!(
        finding_call(&thyroid, &thyroid_reading(4, "spongiform")),
        Some(FindingCall::Positive)
    );
    // Without markers the form cannot make a call for a follow-up to settle.
    let mut unmarked = thyroid_form();
    unmarked.fields[0].kind = FieldKind::Level {
        min: 1,
        max: 5,
        positive_from: None,
    };
    assert_eq!(finding_call(&unmarked, &thyroid_reading(5, "solid")), None);
}

#[test]
fn a_settled_finding_turns_the_learners_call_into_a_reference_verdict() {
    use FindingCall::{Negative, Positive};
    assert_eq!(reference_verdict(Positive, Positive), Verdict::TruePositive);
    assert_eq!(
        reference_verdict(Positive, Negative),
        Verdict::FalsePositive
    );
    assert_eq!(reference_verdict(Negative, Negative), Verdict::TrueNegative);
    assert_eq!(
        reference_verdict(Negative, Positive),
        Verdict::FalseNegative
    );
}

#[test]
fn agreement_counts_agree_and_the_true_calls() {
    let agreeing: Vec<Verdict> = Verdict::ALL.into_iter().filter(|v| v.agrees()).collect();
    assert_eq!(
        agreeing,
        [Verdict::Agree, Verdict::TruePositive, Verdict::TrueNegative]
    );
    let against_reference = Verdict::ALL
        .into_iter()
        .filter(|v| v.is_against_reference())
        .count();
    assert_eq!(against_reference, 4);
}

#[test]
fn verdicts_keep_their_stored_names() {
    for verdict in Verdict::ALL {
        assert_eq!(Verdict::parse(verdict.as_str()), Some(verdict));
        assert_eq!(
            serde_json::to_string(&verdict).unwrap(),
            format!("\"{}\"", verdict.as_str())
        );
    }
    assert_eq!(Verdict::parse("maybe"), None);
}
