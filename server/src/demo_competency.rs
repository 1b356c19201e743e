//! The demo's competency year: twelve months of logged and reviewed scans across the 14 sites,
//! generated from a fixed seed so that every demo shows the same shapes — learners who improve
//! with practice, one community centre that lags the hub, li.na just eligible in thyroid, a
//! learner whose eFAST credential is due for renewal, and one reviewer pair that disagrees more
//! than the others. Written straight into the tables in one transaction (the rules the pages
//! apply are the model's, so the figures read back as if every scan had been clicked through).
use crate::demo_courses::answers::Rng;
use anyhow::{Context, Result};
use domain::{Db, auth, new_id, now, users};
use model::competency::{CivilDate, CredentialRule, ReviewForm, Verdict};
use model::{Role, SiteId};

const SEED: u64 = 16;
const DAY: i64 = 86_400;
/// Applications the network logs most; the others stay empty in the grid.
const APPLICATIONS: [&str; 5] = ["thyroid", "carotid", "efast", "lung", "cardiac"];
/// The community centre (by position among community centres) that lags the hub.
const LAGGING: usize = 4;
/// Extra reviewers, so that pairs can be compared: username, name.
const REVIEWERS: [(&str, &str); 2] = [("zhao.qiang", "赵强 Zhao Qiang"), ("sun.li", "孙丽 Sun Li")];
/// Learners added where a site has fewer than two: pinyin and characters.
const NAMES: [&str; 14] = [
    "黄磊 Huang Lei",
    "吴静 Wu Jing",
    "郑浩 Zheng Hao",
    "冯雪 Feng Xue",
    "何洋 He Yang",
    "许丹 Xu Dan",
    "宋涛 Song Tao",
    "唐敏 Tang Min",
    "韩冰 Han Bing",
    "曹阳 Cao Yang",
    "邓颖 Deng Ying",
    "彭飞 Peng Fei",
    "萧然 Xiao Ran",
    "田甜 Tian Tian",
];

struct Learner {
    id: String,
    username: String,
    site: String,
    skill: f64,
    lag: f64,
}

/// Seeds the year once: nothing is written when a logbook entry already exists.
pub async fn seed(db: &Db) {
    match run(db).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(entries = n, "demo logbooks seeded"),
        Err(e) => tracing::warn!(
            error = format!("{e:#}"),
            "the demo logbooks were not seeded"
        ),
    }
}

async fn run(db: &Db) -> Result<usize> {
    let (existing,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM logbook_entries")
        .fetch_one(&db.pool)
        .await?;
    if existing > 0 {
        return Ok(0);
    }
    let clips: Vec<(String,)> =
        sqlx::query_as("SELECT sop_uid FROM instances ORDER BY created_at, sop_uid LIMIT 40")
            .fetch_all(&db.pool)
            .await?;
    anyhow::ensure!(!clips.is_empty(), "no imported clip to attach");
    let learners = learners(db).await?;
    let reviewers = reviewers(db).await?;
    anyhow::ensure!(reviewers.len() >= 3, "too few reviewers");
    let forms = forms(db).await?;
    // eFAST credentials renew yearly with ten acceptable scans; thyroid keeps ACEP's 25.
    let efast_rule = CredentialRule {
        renewal_days: Some(365),
        maintenance_scans: 10,
        ..CredentialRule::default()
    };
    domain::competency::save_rule(db, &coordinator(db).await?, "efast", efast_rule).await?;

    let mut rng = Rng::new(SEED);
    let today = domain::competency::today();
    let start = today.plus_days(-365);
    let mut tx = db.begin_write().await?;
    let mut written = 0;
    for learner in &learners {
        let apps: Vec<&str> = APPLICATIONS
            .iter()
            .copied()
            .filter(|_| rng.unit() < 0.6)
            .collect();
        let mut apps = if apps.is_empty() { vec!["efast"] } else { apps };
        // The two whose story the demo tells log in their application whatever the dice say.
        for (who, app) in [("li.na", "thyroid"), ("zhang.wei", "efast")] {
            if learner.username == who && !apps.contains(&app) {
                apps.push(app);
            }
        }
        for app in apps {
            let plan = plan(learner, app, &mut rng);
            let form = forms
                .iter()
                .find(|(code, _)| code == app)
                .map(|(_, f)| f)
                .context("application form")?;
            let count = plan.count;
            for n in 0..count {
                // Spread over the year, the later scans denser (practice picks up).
                let t = (n as f64 + rng.unit()) / count as f64;
                let day = plan
                    .from
                    .unwrap_or(start)
                    .plus_days((t.powf(0.8) * plan.span as f64) as i64);
                let day = if day > today { today } else { day };
                let practice = 1.0 - (-(n as f64) / 10.0).exp();
                let grade = (2.0 + 2.0 * practice + 0.5 * learner.skill - learner.lag
                    + 0.6 * rng.normal())
                .round()
                .clamp(1.0, 5.0) as i64;
                let mut agrees =
                    rng.unit() < (0.55 + 0.35 * practice - 0.3 * learner.lag).clamp(0.1, 0.97);
                let grade = if plan.strong && n >= 3 {
                    agrees = true;
                    grade.max(3)
                } else {
                    grade
                };
                let pending = plan.pending > 0 && n + plan.pending >= count;
                let reviewer = &reviewers[rng.below(reviewers.len())];
                let verdict = if agrees {
                    Verdict::Agree
                } else if rng.unit() < 0.4 {
                    Verdict::MissedFinding
                } else {
                    Verdict::Disagree
                };
                let submitted =
                    day.days() * DAY + 10 * 3600 + rng.below(8 * 3600) as i64 - 8 * 3600;
                let hours = if learner.lag > 0.0 { 30.0 } else { 10.0 } * (0.2 + rng.unit() * 2.0);
                let reviewed_at = (submitted + (hours * 3600.0) as i64).min(now() - 60);
                let reviewed_on = CivilDate::network_day(reviewed_at);
                let id = new_id();
                let interpretation = serde_json::to_string(&reading(form, &mut rng))?;
                sqlx::query(
                    "INSERT INTO logbook_entries (id, learner_id, site_id, application, scanned_on, \
                     indication, interpretation, status, created_at, updated_at, submitted_at, \
                     reviewed_at, reviewed_on, grade, verdict, agrees) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $9, $10, $11, $12, $13, $14)",
                )
                .bind(&id)
                .bind(&learner.id)
                .bind(&learner.site)
                .bind(app)
                .bind(day.to_string())
                .bind("急诊床旁 point of care")
                .bind(&interpretation)
                .bind(if pending { "submitted" } else { "reviewed" })
                .bind(submitted)
                .bind((!pending).then_some(reviewed_at))
                .bind((!pending).then(|| reviewed_on.to_string()))
                .bind((!pending).then_some(grade))
                .bind((!pending).then(|| verdict.as_str()))
                .bind((!pending).then_some(i64::from(agrees)))
                .execute(&mut *tx)
                .await?;
                let clip = &clips[rng.below(clips.len())].0;
                sqlx::query(
                    "INSERT INTO logbook_clips (entry_id, sop_uid, position) VALUES ($1, $2, 0)",
                )
                .bind(&id)
                .bind(clip)
                .execute(&mut *tx)
                .await?;
                if !pending {
                    insert_review(
                        &mut tx,
                        &id,
                        reviewer,
                        false,
                        grade,
                        verdict,
                        &interpretation,
                        reviewed_on,
                        reviewed_at,
                    )
                    .await?;
                    // One scan in eight gets an independent second review.
                    if rng.unit() < 0.125 {
                        let others: Vec<&(String, f64)> =
                            reviewers.iter().filter(|r| r.0 != reviewer.0).collect();
                        let second = others[rng.below(others.len())];
                        let noise = reviewer.1 + second.1;
                        let g2 = (grade as f64 + noise * rng.normal())
                            .round()
                            .clamp(1.0, 5.0) as i64;
                        let v2 = if rng.unit() < 0.15 + noise / 3.0 {
                            if verdict == Verdict::Agree {
                                Verdict::Disagree
                            } else {
                                Verdict::Agree
                            }
                        } else {
                            verdict
                        };
                        insert_review(
                            &mut tx,
                            &id,
                            second,
                            true,
                            g2,
                            v2,
                            &interpretation,
                            reviewed_on,
                            reviewed_at + 3 * 3600,
                        )
                        .await?;
                    }
                }
                written += 1;
            }
            if let Some(awarded) = plan.awarded {
                sqlx::query(
                    "INSERT INTO credential_awards (id, code, learner_id, application, awarded_on, \
                     awarded_by, rule, created_at) \
                     VALUES ($1, $2, $3, $4, $5, (SELECT id FROM users WHERE username = 'zhou.min'), $6, $7)",
                )
                .bind(new_id())
                .bind(domain::competency::verification_code(|n| rng.below(n)))
                .bind(&learner.id)
                .bind(app)
                .bind(awarded.to_string())
                .bind(serde_json::to_string(&domain::competency::rule(db, app).await?.rule)?)
                .bind(awarded.days() * DAY)
                .execute(&mut *tx)
                .await?;
            }
        }
    }
    tx.commit().await?;
    Ok(written)
}

#[allow(clippy::too_many_arguments)]
async fn insert_review(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    entry: &str,
    reviewer: &(String, f64),
    second: bool,
    grade: i64,
    verdict: Verdict,
    interpretation: &str,
    reviewed_on: CivilDate,
    at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO scan_reviews (id, entry_id, reviewer_id, second, grade, interpretation, \
         verdict, reviewer_verdict, feedback, reviewed_on, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $10)",
    )
    .bind(new_id())
    .bind(entry)
    .bind(&reviewer.0)
    .bind(i64::from(second))
    .bind(grade)
    .bind(interpretation)
    .bind(verdict.as_str())
    .bind(if grade >= 3 {
        "图像合格。"
    } else {
        "增益偏高，请调整深度后重新采集。"
    })
    .bind(reviewed_on.to_string())
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What one learner logs in one application.
struct Plan {
    count: usize,
    /// The last scans still waiting for review.
    pending: usize,
    /// First scan day (the year's start when none) and the days the scans spread over.
    from: Option<CivilDate>,
    span: i64,
    awarded: Option<CivilDate>,
    /// Good scans after the first three, whatever the dice say (a learner the story needs
    /// to meet the rules).
    strong: bool,
}

fn plan(learner: &Learner, app: &str, rng: &mut Rng) -> Plan {
    let today = domain::competency::today();
    match (learner.username.as_str(), app) {
        // Just eligible: her 25th acceptable, agreeing scan was reviewed this week.
        ("li.na", "thyroid") => Plan {
            count: 27,
            pending: 1,
            from: Some(today.plus_days(-200)),
            span: 196,
            awarded: None,
            strong: true,
        },
        // Credentialed eleven months ago; few acceptable scans since: due for renewal.
        ("zhang.wei", "efast") => Plan {
            count: 34,
            pending: 0,
            from: Some(today.plus_days(-365)),
            span: 28,
            awarded: Some(today.plus_days(-335)),
            strong: true,
        },
        // About one learner-application in nine was credentialed in the last five months,
        // after a year of good scans that all came before the award.
        _ if rng.unit() < 0.11 => {
            let days_ago = 20 + rng.below(130) as i64;
            Plan {
                count: 28 + rng.below(12),
                pending: 0,
                from: Some(today.plus_days(-365)),
                span: 365 - days_ago - 5,
                awarded: Some(today.plus_days(-days_ago)),
                strong: true,
            }
        }
        _ => Plan {
            count: 6 + rng.below(30),
            pending: usize::from(rng.unit() < 0.3),
            from: None,
            span: 364,
            awarded: None,
            strong: false,
        },
    }
}

/// A reading of the form: the first option or level in most fields, another sometimes.
fn reading(form: &ReviewForm, rng: &mut Rng) -> model::competency::Interpretation {
    use model::competency::{Answer, FieldKind};
    let mut answers = std::collections::BTreeMap::new();
    for field in &form.fields {
        let answer = match &field.kind {
            FieldKind::Choice { options, .. } => {
                Answer::Choice(options[rng.below(options.len())].clone())
            }
            FieldKind::PerWindow {
                windows, options, ..
            } => Answer::PerWindow(
                windows
                    .iter()
                    .map(|w| {
                        let pick = if rng.unit() < 0.8 {
                            0
                        } else {
                            rng.below(options.len())
                        };
                        (w.clone(), options[pick].clone())
                    })
                    .collect(),
            ),
            FieldKind::Level { min, max, .. } => {
                Answer::Level(min + rng.below(usize::from(max - min) + 1) as u8)
            }
        };
        answers.insert(field.key.clone(), answer);
    }
    model::competency::Interpretation { answers }
}

async fn forms(db: &Db) -> Result<Vec<(String, ReviewForm)>> {
    Ok(domain::competency::applications(db)
        .await?
        .into_iter()
        .map(|a| (a.code, a.form))
        .collect())
}

async fn coordinator(db: &Db) -> Result<model::CurrentUser> {
    let credentials = users::credentials(db, "zhou.min")
        .await?
        .context("the demo coordinator")?;
    users::current(db, &credentials.id)
        .await?
        .context("the demo coordinator is inactive")
}

/// Every learner, with at least two at each active site (new ones added), each with a skill;
/// the learners of the lagging centre lag.
async fn learners(db: &Db) -> Result<Vec<Learner>> {
    let sites = domain::sites::list(db).await?;
    let hash = auth::hash_password(crate::seed::DEMO_PASSWORD.to_string()).await?;
    let mut names = NAMES.iter();
    let mut rng = Rng::new(SEED ^ 0xA5);
    let mut out = Vec::new();
    let community: Vec<&SiteId> = sites
        .iter()
        .filter(|s| s.kind == model::SiteKind::Community)
        .map(|s| &s.id)
        .collect();
    for site in sites.iter().filter(|s| s.active) {
        let mut here = users::list(db, Some(&site.id), Some(Role::Learner)).await?;
        let mut k = 0;
        while here.len() < 2 {
            let Some(name) = names.next() else { break };
            k += 1;
            let username = format!("qc.{}{k}", site.code.to_lowercase());
            users::insert(
                db,
                users::InsertUser {
                    username: &username,
                    display_name: name,
                    role: Role::Learner,
                    site_id: &site.id,
                    password_hash: &hash,
                },
            )
            .await?;
            here = users::list(db, Some(&site.id), Some(Role::Learner)).await?;
        }
        let lag = if community.get(LAGGING) == Some(&&site.id) {
            0.9
        } else {
            0.0
        };
        for user in here.into_iter().filter(|u| u.active) {
            out.push(Learner {
                id: user.id.0.clone(),
                username: user.username.clone(),
                site: site.id.0.clone(),
                skill: if user.username == "li.na" {
                    0.8
                } else {
                    rng.normal() * 0.6
                },
                lag,
            });
        }
    }
    Ok(out)
}

/// The experts who review, each with how noisy their grading is; the two added reviewers are
/// the noisy ones, so their pair agrees least.
async fn reviewers(db: &Db) -> Result<Vec<(String, f64)>> {
    let hub = domain::sites::list(db)
        .await?
        .into_iter()
        .find(|s| s.kind == model::SiteKind::Hub)
        .context("no hub")?;
    let hash = auth::hash_password(crate::seed::DEMO_PASSWORD.to_string()).await?;
    for (username, name) in REVIEWERS {
        users::insert(
            db,
            users::InsertUser {
                username,
                display_name: name,
                role: Role::Expert,
                site_id: &hub.id,
                password_hash: &hash,
            },
        )
        .await?;
    }
    Ok(users::list(db, None, Some(Role::Expert))
        .await?
        .into_iter()
        .filter(|u| u.active)
        .map(|u| {
            let noise = if REVIEWERS.iter().any(|(n, _)| *n == u.username) {
                0.9
            } else {
                0.25
            };
            (u.id.0, noise)
        })
        .collect())
}
