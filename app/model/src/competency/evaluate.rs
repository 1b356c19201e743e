//! A learner's credential status in one application on a given day, and the rule line behind
//! it.
//!
//! Only reviews dated on or before `today` count, so the same record read on an earlier day
//! gives the status that held then, and a review arriving later never changes a past status.
//!
//! * **In training → eligible.** Eligible when every entry rule is met: reviewed scans, the
//!   share graded 3 or better, the share whose interpretation agreed, each required course
//!   completed and each required quiz passed. A share meets its threshold when it equals it.
//! * **Credentialed.** From the award day. Without a renewal period it stays credentialed.
//! * **Renewal.** With a period of P days, the credential runs in periods of P days from the
//!   award day A: period k covers A + kP to A + (k+1)P − 1, both included. Reaching the
//!   maintenance count (scans graded 3 or better, each counted in the period its review falls
//!   in) within a period carries the credential into the next one; there is nothing for a
//!   coordinator to do.
//! * **Due for renewal.** In the last [`DUE_WINDOW_DAYS`] days of a period (its last day
//!   included) while that period's count is not reached yet.
//! * **Lapsed.** From the first day after a period that ended short of its count; it stays
//!   lapsed until a coordinator awards it again, whatever is reviewed later. A coordinator may
//!   award it again once the entry rules are met and the maintenance count is reached anew:
//!   with scans reviewed after the lapse, within the last P days.
//!
//! An award dated after `today` is not in force yet: the learner is judged as not awarded.
use super::{
    CivilDate, CredentialRule, CredentialStatus, DUE_WINDOW_DAYS, Evaluation, LearnerRecord,
    ReviewedScan, Rule, RuleLine,
};

/// Lets a share equal to its threshold pass when the threshold came through arithmetic that
/// is not exact in binary (70 % typed as 0.7000000000000001); far below any share of scans.
const SHARE_TOLERANCE: f64 = 1e-9;

/// The status of `record` under `rule` on the day `today`, with one line per rule.
pub fn evaluate(rule: &CredentialRule, record: &LearnerRecord, today: CivilDate) -> Evaluation {
    let scans: Vec<&ReviewedScan> = record
        .scans
        .iter()
        .filter(|s| s.reviewed_on <= today)
        .collect();
    let mut lines = entry_lines(rule, record, &scans);
    let eligible = lines.iter().all(|l| l.met);
    let standing = match (record.awarded_on.filter(|a| *a <= today), rule.renewal_days) {
        (None, _) if eligible => Standing::settled(CredentialStatus::Eligible, true),
        (None, _) => Standing::settled(CredentialStatus::InTraining, false),
        (Some(awarded_on), Some(period)) if period > 0 => {
            let periods = Periods {
                awarded_on,
                days: i64::from(period),
                required: rule.maintenance_scans,
                scans: &scans,
            };
            periods.standing(today, eligible)
        }
        (Some(_), _) => Standing::settled(CredentialStatus::Credentialed, false),
    };
    lines.extend(standing.maintenance);
    Evaluation {
        status: standing.status,
        lines,
        awardable: standing.awardable,
        valid_until: standing.valid_until,
        lapsed_on: standing.lapsed_on,
    }
}

/// What the award and its renewal make of a learner, before the entry lines are added.
struct Standing {
    status: CredentialStatus,
    awardable: bool,
    valid_until: Option<CivilDate>,
    lapsed_on: Option<CivilDate>,
    maintenance: Option<RuleLine>,
}

impl Standing {
    /// A standing that no renewal period bears on: not awarded, or awarded for good.
    fn settled(status: CredentialStatus, awardable: bool) -> Standing {
        Standing {
            status,
            awardable,
            valid_until: None,
            lapsed_on: None,
            maintenance: None,
        }
    }
}

/// The renewal periods of one award.
struct Periods<'a> {
    awarded_on: CivilDate,
    days: i64,
    required: u32,
    scans: &'a [&'a ReviewedScan],
}

impl Periods<'_> {
    /// Scans graded 3 or better reviewed from `from` to `until`, both included.
    fn acceptable_between(&self, from: CivilDate, until: CivilDate) -> u32 {
        count(
            self.scans
                .iter()
                .filter(|s| s.grade.is_acceptable() && (from..=until).contains(&s.reviewed_on)),
        )
    }

    /// The first and last day of period `k`.
    fn period(&self, k: i64) -> (CivilDate, CivilDate) {
        let from = self.awarded_on.plus_days(k * self.days);
        (from, from.plus_days(self.days - 1))
    }

    fn line(&self, from: CivilDate, until: CivilDate) -> RuleLine {
        let actual = self.acceptable_between(from, until);
        RuleLine {
            met: actual >= self.required,
            rule: Rule::Maintenance {
                actual,
                required: self.required,
                from,
                until,
            },
        }
    }

    /// Lapsed after the first period that ended short, otherwise in force in the current one.
    fn standing(&self, today: CivilDate, eligible: bool) -> Standing {
        let current = self.awarded_on.days_until(today) / self.days;
        let short = (0..current).find(|&k| {
            let (from, until) = self.period(k);
            self.acceptable_between(from, until) < self.required
        });
        if let Some(k) = short {
            let (_, last_day) = self.period(k);
            let lapsed_on = last_day.plus_days(1);
            // A new award needs the maintenance count again: scans reviewed since the lapse,
            // within the last period's worth of days.
            let from = today.plus_days(1 - self.days).max(lapsed_on);
            let recent = self.line(from, today);
            return Standing {
                status: CredentialStatus::Lapsed,
                awardable: eligible && recent.met,
                valid_until: None,
                lapsed_on: Some(lapsed_on),
                maintenance: Some(recent),
            };
        }
        let (from, until) = self.period(current);
        let line = self.line(from, until);
        let in_window = today.days_until(until) < i64::from(DUE_WINDOW_DAYS);
        Standing {
            status: if !line.met && in_window {
                CredentialStatus::DueForRenewal
            } else {
                CredentialStatus::Credentialed
            },
            awardable: false,
            valid_until: Some(until),
            lapsed_on: None,
            maintenance: Some(line),
        }
    }
}

/// The entry rules' lines, in the rule's order.
fn entry_lines(
    rule: &CredentialRule,
    record: &LearnerRecord,
    scans: &[&ReviewedScan],
) -> Vec<RuleLine> {
    let reviewed = count(scans.iter());
    let acceptable = count(scans.iter().filter(|s| s.grade.is_acceptable()));
    let agreeing = count(scans.iter().filter(|s| s.verdict.agrees()));
    let mut lines = vec![
        RuleLine {
            met: reviewed >= rule.min_reviewed_scans,
            rule: Rule::ReviewedScans {
                actual: reviewed,
                required: rule.min_reviewed_scans,
            },
        },
        RuleLine {
            met: share_met(acceptable, reviewed, rule.min_acceptable_share),
            rule: Rule::AcceptableShare {
                acceptable,
                reviewed,
                share: share(acceptable, reviewed),
                required: rule.min_acceptable_share,
            },
        },
        RuleLine {
            met: share_met(agreeing, reviewed, rule.min_agreement),
            rule: Rule::Agreement {
                agreeing,
                reviewed,
                share: share(agreeing, reviewed),
                required: rule.min_agreement,
            },
        },
    ];
    lines.extend(rule.required_courses.iter().map(|course| RuleLine {
        met: record.completed_courses.contains(course),
        rule: Rule::Course {
            course: course.clone(),
        },
    }));
    lines.extend(rule.required_quizzes.iter().map(|quiz| RuleLine {
        met: record.passed_quizzes.contains(quiz),
        rule: Rule::Quiz { quiz: quiz.clone() },
    }));
    lines
}

fn count<T>(items: impl Iterator<Item = T>) -> u32 {
    u32::try_from(items.count()).unwrap_or(u32::MAX)
}

fn share(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| f64::from(part) / f64::from(whole))
}

/// Before any review there is no share, and only a threshold of zero is met.
fn share_met(part: u32, whole: u32, required: f64) -> bool {
    match share(part, whole) {
        Some(share) => share + SHARE_TOLERANCE >= required,
        None => required <= 0.0,
    }
}
