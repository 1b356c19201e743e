//! The learner's view: no key, shuffled items marked in the author's terms.
use super::*;

#[test]
fn the_learner_view_carries_no_key() {
    // Keys chosen to be recognisable in JSON: no digit appears in any option text.
    let kinds = [
        QuestionKind::Single {
            options: labels(&["Aorta", "IVC", "Portal vein", "Renal vein"]),
            correct: 3,
        },
        QuestionKind::Multiple {
            options: labels(&["Aorta", "IVC", "Portal vein", "Renal vein"]),
            correct: vec![2, 3],
            grading: Partial::AllOrNothing,
        },
        QuestionKind::TrueFalse { correct: true },
        QuestionKind::Hotspot {
            frames: 90,
            targets: vec![HotspotTarget {
                shape: Shape::Ellipse {
                    center: pt(123.5, 67.25),
                    rx: 14.5,
                    ry: 8.75,
                },
                first_frame: 47,
                last_frame: 52,
            }],
        },
        QuestionKind::FrameSelection {
            target: FrameTarget::Range { start: 61, end: 64 },
            tolerance: 3,
        },
        QuestionKind::Measurement {
            expected_mm: 37.25,
            tolerance: Tolerance::Percent(7.5),
        },
    ];
    for kind in &kinds {
        let json = serde_json::to_string(&learner_view(kind, 42)).unwrap();
        for key in [
            "correct",
            ":true",
            ":false",
            "target",
            "tolerance",
            "expected",
            "shape",
        ] {
            assert!(!json.contains(key), "{key} in {json}");
        }
        // The only number a learner may see is the hotspot clip's length.
        let digits: String = json.chars().filter(char::is_ascii_digit).collect();
        assert!(digits.is_empty() || digits == "90", "{json}");
    }
}

#[test]
fn the_learner_orders_shuffled_items_and_is_marked_in_the_authors_terms() {
    let kind = ordering(OrderingGrading::AllOrNothing);
    let QuestionForLearner::Ordering { items: shown } = learner_view(&kind, 7) else {
        panic!("an ordering question is shown as one");
    };
    let authored = labels(&["RUQ", "LUQ", "Pelvis", "Subxiphoid"]);
    assert_ne!(shown, authored, "never shown already in order");
    let mut sorted_shown = shown.clone();
    sorted_shown.sort();
    let mut sorted_authored = authored.clone();
    sorted_authored.sort();
    assert_eq!(sorted_shown, sorted_authored, "every item is shown once");

    // The learner drags the shown items into the right order and submits their positions.
    let shown_order: Vec<usize> = authored
        .iter()
        .map(|item| shown.iter().position(|s| s == item).unwrap())
        .collect();
    let order = order_from_shown(&shown_order, 4, 7).unwrap();
    assert_eq!(order, vec![0, 1, 2, 3]);
    assert_eq!(fraction(&kind, Answer::Order(order)), 1.0);
    assert_eq!(
        order_from_shown(&[0, 1, 9, 2], 4, 7),
        Err(ScoreError::NoSuchItem(9))
    );
}

#[test]
fn shuffling_is_a_deterministic_permutation_never_left_in_order() {
    assert_eq!(shuffled(0, 1), Vec::<usize>::new());
    assert_eq!(shuffled(1, 1), vec![0]);
    for n in 2..8 {
        for seed in 0..200 {
            let order = shuffled(n, seed);
            assert_eq!(
                order,
                shuffled(n, seed),
                "the same seed gives the same order"
            );
            let mut sorted = order.clone();
            sorted.sort();
            assert_eq!(sorted, (0..n).collect::<Vec<_>>());
            assert!(order.iter().enumerate().any(|(at, item)| at != *item));
        }
    }
    // Seeds reach every order of three items but the right one...
    let orders: std::collections::HashSet<_> = (0..200).map(|seed| shuffled(3, seed)).collect();
    assert_eq!(orders.len(), 5);
    // ...and put every one of six items at every position.
    let mut seen = [[false; 6]; 6];
    for seed in 0..200 {
        for (at, item) in shuffled(6, seed).into_iter().enumerate() {
            seen[at][item] = true;
        }
    }
    assert!(seen.iter().flatten().all(|s| *s));
}
