//! Pointer, touch and wheel input on the image: pan, pinch, zoom, measuring and drawing.
use super::player::with_player;
use crate::cine::ImagePoint;
use crate::components::viewer::{Tool, ViewerState};
use crate::model::{Annotation, Point, Shape};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Shorter drags than this (image pixels) draw no arrow or ellipse.
const MIN_SHAPE_PX: f64 = 3.0;

/// Back to the whole image, centred.
pub fn fit(st: ViewerState) {
    st.zoom.set(1.0);
    st.pan.set((0.0, 0.0));
    super::link::report(st);
}

/// Zooms by `factor` (buttons, keys, wheel).
pub fn zoom_by(st: ViewerState, factor: f64) {
    st.zoom.update(|z| *z = (*z * factor).clamp(0.25, 16.0));
    super::link::report(st);
}

/// The image point under a pointer event.
fn image_point(st: ViewerState, ev: &web_sys::PointerEvent) -> Option<ImagePoint> {
    let canvas = st.canvas.get_untracked()?;
    let rect = canvas.get_bounding_client_rect();
    if rect.width() <= 0.0 || rect.height() <= 0.0 {
        return None;
    }
    let x = (ev.client_x() as f64 - rect.left()) * canvas.width() as f64 / rect.width();
    let y = (ev.client_y() as f64 - rect.top()) * canvas.height() as f64 / rect.height();
    Some(ImagePoint::new(x, y))
}

fn to_point(p: ImagePoint) -> Point {
    Point { x: p.x, y: p.y }
}

/// Adds an annotation shown on the whole clip (the list below the viewer narrows it).
fn add_annotation(st: ViewerState, shape: Shape) {
    let Some(target) = st.editable else {
        return;
    };
    let last = st
        .info
        .with_untracked(|i| i.as_ref().map_or(0, |i| i.frames.saturating_sub(1)));
    target.update(|list| {
        list.push(Annotation {
            shape,
            first_frame: 0,
            last_frame: last,
            color: None,
        })
    });
}

/// Closes the polygon being drawn into an annotation (three points at least).
pub fn finish_polygon(st: ViewerState) {
    let points = st.points.get_untracked();
    if st.tool.get_untracked() == Tool::Polygon && points.len() >= 3 {
        add_annotation(
            st,
            Shape::Polygon {
                points: points.into_iter().map(to_point).collect(),
            },
        );
        st.points.set(Vec::new());
    }
}

fn capture(ev: &web_sys::PointerEvent) {
    if let Some(target) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    {
        let _ = target.set_pointer_capture(ev.pointer_id());
    }
}

pub fn pointer_down(st: ViewerState, ev: web_sys::PointerEvent) {
    let id = ev.pointer_id();
    let at = (ev.client_x() as f64, ev.client_y() as f64);
    let fingers = with_player(st, |p| {
        p.pointers.retain(|(pid, _, _)| *pid != id);
        p.pointers.push((id, at.0, at.1));
        p.pointers.len()
    })
    .unwrap_or(0);
    capture(&ev);
    if fingers >= 2 {
        // A second finger: pinch and pan; undo whatever the first finger started.
        let placed = with_player(st, |p| {
            p.drag = None;
            p.shape_from = None;
            p.placed_by.take()
        })
        .flatten();
        if placed.is_some() {
            st.points.update(|pts| {
                pts.pop();
            });
        }
        return;
    }
    let point = image_point(st, &ev);
    match st.tool.get_untracked() {
        Tool::Pan => {
            with_player(st, |p| p.drag = Some(at));
        }
        Tool::Distance | Tool::Area | Tool::Polygon => {
            if let Some(pt) = point {
                let tool = st.tool.get_untracked();
                st.points.update(|pts| {
                    if tool == Tool::Distance && pts.len() >= 2 {
                        pts.clear();
                    }
                    pts.push(pt);
                });
                with_player(st, |p| p.placed_by = Some(id));
            }
        }
        Tool::Arrow | Tool::Ellipse => {
            if let Some(pt) = point {
                with_player(st, |p| p.shape_from = Some(pt));
                st.points.set(vec![pt, pt]);
            }
        }
        Tool::Pick => {
            if let (Some(pt), Some(pick)) = (point, st.on_pick) {
                pick.run((to_point(pt), st.frame.get_untracked()));
            }
        }
        Tool::Text => {
            if let Some(pt) = point {
                // Keep the press from focusing the viewer (its mouse-down default, which comes
                // after the new label field has taken the focus), so typing goes to the label.
                ev.prevent_default();
                // Counted first: the list's new row reads it to take the focus.
                st.text_added.update(|n| *n += 1);
                add_annotation(
                    st,
                    Shape::Text {
                        at: to_point(pt),
                        text: String::new(),
                    },
                );
            }
        }
    }
}

fn distance(a: (f64, f64), b: (f64, f64)) -> f64 {
    (a.0 - b.0).hypot(a.1 - b.1)
}

pub fn pointer_move(st: ViewerState, ev: web_sys::PointerEvent) {
    let id = ev.pointer_id();
    let at = (ev.client_x() as f64, ev.client_y() as f64);
    // Two fingers: the change in their distance zooms, the move of their midpoint pans.
    let pinch = with_player(st, |p| {
        let [a, b] = p.pointers.get(..2)? else {
            return None;
        };
        let (a, b) = ((a.1, a.2), (b.1, b.2));
        let slot = p.pointers.iter_mut().find(|(pid, _, _)| *pid == id)?;
        (slot.1, slot.2) = at;
        let [c, d] = p.pointers.get(..2)? else {
            return None;
        };
        let (c, d) = ((c.1, c.2), (d.1, d.2));
        let before = distance(a, b);
        let scale = if before > 1.0 {
            distance(c, d) / before
        } else {
            1.0
        };
        let shift = ((c.0 + d.0 - a.0 - b.0) / 2.0, (c.1 + d.1 - a.1 - b.1) / 2.0);
        Some((scale, shift))
    })
    .flatten();
    if let Some((scale, (dx, dy))) = pinch {
        st.zoom.update(|z| *z = (*z * scale).clamp(0.25, 16.0));
        st.pan.update(|(x, y)| {
            *x += dx;
            *y += dy;
        });
        super::link::report(st);
        return;
    }
    with_player(st, |p| {
        if let Some(slot) = p.pointers.iter_mut().find(|(pid, _, _)| *pid == id) {
            (slot.1, slot.2) = at;
        }
    });
    let moved = with_player(st, |p| {
        let (x0, y0) = p.drag?;
        p.drag = Some(at);
        Some((at.0 - x0, at.1 - y0))
    })
    .flatten();
    if let Some((dx, dy)) = moved {
        st.pan.update(|(x, y)| {
            *x += dx;
            *y += dy;
        });
        super::link::report(st);
        return;
    }
    let at_image = image_point(st, &ev);
    if st.link.is_some() {
        super::link::report_pointer(st, at_image.map(to_point));
    }
    let drawing = with_player(st, |p| p.shape_from).flatten();
    if let (Some(from), Some(to)) = (drawing, at_image) {
        st.points.set(vec![from, to]);
    }
}

/// The pointer left the image.
pub fn pointer_leave(st: ViewerState) {
    super::link::report_pointer(st, None);
}

pub fn pointer_up(st: ViewerState, ev: web_sys::PointerEvent) {
    let id = ev.pointer_id();
    let from = with_player(st, |p| {
        p.pointers.retain(|(pid, _, _)| *pid != id);
        p.drag = None;
        p.placed_by = None;
        p.shape_from.take()
    })
    .flatten();
    let (Some(from), Some(to)) = (from, image_point(st, &ev)) else {
        return;
    };
    st.points.set(Vec::new());
    if (to.x - from.x).hypot(to.y - from.y) < MIN_SHAPE_PX {
        return;
    }
    let shape = match st.tool.get_untracked() {
        Tool::Arrow => Shape::Arrow {
            tail: to_point(from),
            head: to_point(to),
        },
        Tool::Ellipse => Shape::Ellipse {
            center: to_point(from),
            rx: (to.x - from.x).abs().max(1.0),
            ry: (to.y - from.y).abs().max(1.0),
        },
        _ => return,
    };
    add_annotation(st, shape);
}

/// The pointer left without finishing (e.g. the browser took over a touch).
pub fn pointer_cancel(st: ViewerState, ev: web_sys::PointerEvent) {
    let id = ev.pointer_id();
    let drawing = with_player(st, |p| {
        p.pointers.retain(|(pid, _, _)| *pid != id);
        p.drag = None;
        p.placed_by = None;
        p.shape_from.take().is_some()
    });
    if drawing == Some(true) {
        st.points.set(Vec::new());
    }
}

pub fn wheel(st: ViewerState, ev: web_sys::WheelEvent) {
    ev.prevent_default();
    let factor = if ev.delta_y() < 0.0 { 1.1 } else { 1.0 / 1.1 };
    zoom_by(st, factor);
}
