//! The pure parts of a live page: the session clock estimated from the server's times, one's
//! own drawings kept in step with the server's copy (also across reconnects and reloads), and
//! the pointer's rate limit. No browser calls, so they are tested natively.
use crate::model::Annotation;
use crate::model::replay::{Action, DrawingDiff, Event, Participant, ReplayState};
use std::collections::BTreeMap;

/// Pointer events sent at most this often (30 a second).
pub const POINTER_EVERY_MS: f64 = 1000.0 / 30.0;

/// The session's clock as seen from the page: session ms = local ms + `delta`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Clock {
    delta: Option<f64>,
    /// The round trip of the sample `delta` came from (a welcome counts as unknown).
    rtt: f64,
}

impl Clock {
    /// A welcome: the server's time when it was sent, and the local time it arrived.
    pub fn welcome(&mut self, now_ms: u64, local_ms: f64) {
        if self.delta.is_none() {
            self.delta = Some(now_ms as f64 - local_ms);
            self.rtt = f64::INFINITY;
        }
    }

    /// A pong: sent at local `sent_ms`, stamped `now_ms` by the server, back at `local_ms`.
    /// The sample with the shortest round trip wins (its half-way guess errs least).
    pub fn pong(&mut self, sent_ms: f64, now_ms: u64, local_ms: f64) {
        let rtt = (local_ms - sent_ms).max(0.0);
        if self.delta.is_none() || rtt <= self.rtt {
            self.delta = Some(now_ms as f64 + rtt / 2.0 - local_ms);
            self.rtt = rtt;
        }
    }

    /// The session time at local time `local_ms`, once known.
    pub fn session_ms(&self, local_ms: f64) -> Option<f64> {
        self.delta.map(|d| local_ms + d)
    }
}

/// One's own drawings: the viewer's editable list turned into draw and erase events (ids
/// from [`DrawingDiff`]), and what the server holds of them, so a reconnect sends only what
/// it missed.
#[derive(Debug, Clone, Default)]
pub struct Drawings {
    diff: DrawingDiff,
    /// What this page has sent, by id: the server's copy once everything arrived.
    sent: BTreeMap<u32, Annotation>,
    /// The page has seen the server's copy once (a reload adopts it).
    adopted: bool,
}

impl Drawings {
    /// The events that turn what was sent into `now`.
    pub fn changed(&mut self, now: &[Annotation]) -> Vec<Action> {
        let actions = self.diff.update(now);
        for a in &actions {
            match a {
                Action::Draw { id, annotation } => {
                    self.sent.insert(*id, annotation.clone());
                }
                Action::Erase { id } => {
                    self.sent.remove(id);
                }
                _ => {}
            }
        }
        actions
    }

    /// Meets the server's copy of this side's drawings after a (re)connect. The first time, if
    /// the server holds drawings of this side (the page was reloaded), it answers them to put
    /// back in the editable list, and erases for their old ids: the list's next
    /// [`Drawings::changed`] draws them again under new ids that follow every old one.
    /// Otherwise it answers the events the server missed.
    pub fn meet(
        &mut self,
        server: &BTreeMap<u32, Annotation>,
    ) -> (Option<Vec<Annotation>>, Vec<Action>) {
        if !self.adopted {
            self.adopted = true;
            if !server.is_empty() {
                // Move the diff's ids past every id the server has seen, then restart empty.
                let highest = server.keys().copied().max().unwrap_or(0) as usize;
                let filler = server.values().next().cloned();
                if let Some(filler) = filler {
                    self.diff.update(&vec![filler; highest]);
                    self.diff.clear();
                }
                let erase_old = server.keys().map(|id| Action::Erase { id: *id }).collect();
                return (Some(server.values().cloned().collect()), erase_old);
            }
        }
        let mut actions = Vec::new();
        for id in server.keys().filter(|id| !self.sent.contains_key(id)) {
            actions.push(Action::Erase { id: *id });
        }
        for (id, annotation) in &self.sent {
            if server.get(id) != Some(annotation) {
                actions.push(Action::Draw {
                    id: *id,
                    annotation: annotation.clone(),
                });
            }
        }
        (None, actions)
    }
}

/// The drawings of `side` in a state, by id.
pub fn drawings_of(state: &ReplayState, side: Participant) -> BTreeMap<u32, Annotation> {
    state
        .drawings
        .iter()
        .filter(|((by, _), _)| *by == side)
        .map(|((_, id), a)| (*id, a.clone()))
        .collect()
}

/// The state after `events`.
pub fn fold(events: &[Event]) -> ReplayState {
    let mut state = ReplayState::default();
    for e in events {
        state.apply(e);
    }
    state
}

/// The other side's drawings (both sides' for an admin who watches), in a colour of their
/// own unless they chose one, so each side tells whose drawing it sees.
pub fn others_drawings(
    state: &ReplayState,
    me: Option<Participant>,
    frame_colour: &str,
) -> Vec<Annotation> {
    state
        .drawings
        .iter()
        .filter(|((by, _), _)| Some(*by) != me)
        .map(|(_, a)| {
            let mut a = a.clone();
            if a.color.is_none() {
                a.color = Some(frame_colour.to_string());
            }
            a
        })
        .collect()
}

/// The pointer's rate limit: whether a move at `now` goes out at once, or waits (the
/// latest waiting move goes out when [`Throttle::due`] says so).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Throttle {
    last_ms: Option<f64>,
}

impl Throttle {
    /// `true`: send now (and it counts as sent). `false`: hold it for `due`.
    pub fn pass(&mut self, now: f64) -> bool {
        match self.last_ms {
            Some(last) if now - last < POINTER_EVERY_MS => false,
            _ => {
                self.last_ms = Some(now);
                true
            }
        }
    }

    /// A held move went out at `now`.
    pub fn mark(&mut self, now: f64) {
        self.last_ms = Some(now);
    }

    /// How long a held move waits.
    pub fn due(&self, now: f64) -> f64 {
        self.last_ms
            .map_or(0.0, |last| (last + POINTER_EVERY_MS - now).max(0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::replay::{GUIDE, GUIDED};
    use crate::model::{Point, Shape};

    fn arrow(x: f64) -> Annotation {
        Annotation {
            shape: Shape::Arrow {
                tail: Point { x, y: 1.0 },
                head: Point { x: x + 5.0, y: 9.0 },
            },
            first_frame: 0,
            last_frame: 3,
            color: None,
        }
    }

    /// Applies actions as the server would, as `by`.
    fn server_after(state: &mut ReplayState, by: Participant, actions: &[Action]) {
        for a in actions {
            state.apply(&Event {
                t: 0,
                by,
                action: a.clone(),
            });
        }
    }

    #[test]
    fn the_clock_trusts_the_shortest_round_trip() {
        let mut clock = Clock::default();
        assert_eq!(clock.session_ms(10.0), None);
        clock.welcome(5_000, 1_000.0);
        assert_eq!(clock.session_ms(1_500.0), Some(5_500.0));
        // A ping sent at 2000 and back at 2100, stamped 6040 half-way: 50 ms each way.
        clock.pong(2_000.0, 6_040, 2_100.0);
        assert_eq!(clock.session_ms(2_100.0), Some(6_090.0));
        // A slower one does not replace it.
        clock.pong(3_000.0, 7_500, 3_600.0);
        assert_eq!(clock.session_ms(2_100.0), Some(6_090.0));
    }

    #[test]
    fn a_reconnect_sends_what_the_server_missed() {
        let mut mine = Drawings::default();
        let mut server = ReplayState::default();
        assert_eq!(mine.meet(&drawings_of(&server, GUIDE)), (None, Vec::new()));
        let sent = mine.changed(&[arrow(1.0), arrow(2.0)]);
        server_after(&mut server, GUIDE, &sent);
        // Offline: one drawing removed, another added; none of it reached the server.
        mine.changed(&[arrow(2.0), arrow(3.0)]);
        let (restore, missed) = mine.meet(&drawings_of(&server, GUIDE));
        assert!(restore.is_none());
        server_after(&mut server, GUIDE, &missed);
        // The changed drawing kept its id (1): the server holds the page's two, by id.
        let held: Vec<_> = drawings_of(&server, GUIDE).into_values().collect();
        assert_eq!(held, vec![arrow(3.0), arrow(2.0)]);
    }

    #[test]
    fn a_reloaded_page_takes_its_drawings_back_under_new_ids() {
        let mut before = Drawings::default();
        let mut server = ReplayState::default();
        let sent = before.changed(&[arrow(1.0), arrow(2.0), arrow(3.0)]);
        server_after(&mut server, GUIDED, &sent);
        server_after(
            &mut server,
            GUIDED,
            &before.changed(&[arrow(1.0), arrow(3.0)]),
        );

        let mut after = Drawings::default();
        let (restore, erase_old) = after.meet(&drawings_of(&server, GUIDED));
        let restore = restore.unwrap();
        assert_eq!(restore, vec![arrow(1.0), arrow(3.0)]);
        server_after(&mut server, GUIDED, &erase_old);
        let redraw = after.changed(&restore);
        let ids: Vec<u32> = redraw
            .iter()
            .filter_map(|a| match a {
                Action::Draw { id, .. } => Some(*id),
                _ => None,
            })
            .collect();
        assert!(
            ids.iter().all(|id| *id > 3),
            "new ids follow the old: {ids:?}"
        );
        server_after(&mut server, GUIDED, &redraw);
        let held: Vec<_> = drawings_of(&server, GUIDED).into_values().collect();
        assert_eq!(held, vec![arrow(1.0), arrow(3.0)]);
        // Erasing one later names an id the server knows.
        let erase = after.changed(&[arrow(3.0)]);
        assert!(matches!(erase[0], Action::Erase { id } if ids.contains(&id)));
    }

    #[test]
    fn each_side_sees_the_others_drawings_in_their_colour() {
        let mut state = ReplayState::default();
        server_after(
            &mut state,
            GUIDE,
            &[Action::Draw {
                id: 1,
                annotation: arrow(1.0),
            }],
        );
        server_after(
            &mut state,
            GUIDED,
            &[Action::Draw {
                id: 1,
                annotation: arrow(2.0),
            }],
        );
        let seen = others_drawings(&state, Some(GUIDED), "#4fc3f7");
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].color.as_deref(), Some("#4fc3f7"));
        assert_eq!(
            others_drawings(&state, None, "#fff").len(),
            2,
            "an admin sees both"
        );
    }

    #[test]
    fn the_pointer_goes_out_thirty_times_a_second() {
        let mut throttle = Throttle::default();
        // A mouse reporting 120 moves a second.
        let sent = (0..120)
            .filter(|i| throttle.pass(f64::from(*i) * 1000.0 / 120.0))
            .count();
        assert!((20..=30).contains(&sent), "{sent}");
        assert!(throttle.due(1000.0) <= POINTER_EVERY_MS);
    }
}
