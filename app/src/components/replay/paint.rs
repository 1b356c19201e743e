//! How the participants' pointers look (SVG over the picture, and the legend's swatches), and
//! the drawings and pointers painted with Canvas 2D paths for the exported video.
use crate::model::{Annotation, Point, Shape};
use leptos::prelude::*;
use std::f64::consts::PI;

/// Pointer colours by participant slot (the guide, the guided): distinct on black, and told
/// apart by shape too (a ring, a diamond) for those who do not see the colours.
pub const POINTER_COLOURS: [&str; 2] = ["#ff7ab6", "#7ee787"];
/// The viewer's colour for a drawing without its own.
const DRAWING_COLOUR: &str = "#ffd54f";

/// Size of a pointer mark for an image of `size` pixels (its longer side).
pub fn pointer_radius(size: (u32, u32)) -> f64 {
    (f64::from(size.0.max(size.1)) / 70.0).max(5.0)
}

/// The pointer of participant slot `slot` at `p`, in image pixels.
pub fn pointer_mark(slot: usize, p: Point, r: f64) -> AnyView {
    let colour = POINTER_COLOURS[slot.min(1)];
    if slot == 0 {
        view! {
            <g class="replay-pointer" data-pointer="guide">
                <circle cx=p.x cy=p.y r=r fill="none" stroke="#000" stroke-width=r * 0.7 />
                <circle cx=p.x cy=p.y r=r fill="none" stroke=colour stroke-width=r * 0.4 />
                <circle cx=p.x cy=p.y r=r * 0.25 fill=colour />
            </g>
        }
        .into_any()
    } else {
        let d = format!(
            "M{} {}L{} {}L{} {}L{} {}Z",
            p.x,
            p.y - r,
            p.x + r,
            p.y,
            p.x,
            p.y + r,
            p.x - r,
            p.y
        );
        view! {
            <g class="replay-pointer" data-pointer="guided">
                <path d=d.clone() fill="none" stroke="#000" stroke-width=r * 0.7 />
                <path d=d fill="none" stroke=colour stroke-width=r * 0.4 />
            </g>
        }
        .into_any()
    }
}

/// The legend's swatch for slot `slot` (the same mark, small).
pub fn swatch(slot: usize) -> impl IntoView {
    view! {
        <svg class="replay-swatch" viewBox="0 0 20 20" width="20" height="20" aria-hidden="true">
            {pointer_mark(slot, Point { x: 10.0, y: 10.0 }, 7.0)}
        </svg>
    }
}

/// Paints `a` on `ctx` (image pixels), lines `width` wide.
pub fn paint_annotation(ctx: &web_sys::CanvasRenderingContext2d, a: &Annotation, width: f64) {
    let colour = a.color.as_deref().unwrap_or(DRAWING_COLOUR);
    ctx.set_stroke_style_str(colour);
    ctx.set_fill_style_str(colour);
    ctx.set_line_width(width);
    ctx.set_line_join("round");
    ctx.begin_path();
    match &a.shape {
        Shape::Arrow { tail, head } => {
            let (dx, dy) = (head.x - tail.x, head.y - tail.y);
            let len = dx.hypot(dy).max(1.0);
            let (ux, uy) = (dx / len, dy / len);
            // As the viewer draws it, scaled with the line.
            let size = (len * 0.25).clamp(3.0 * width, 9.0 * width);
            ctx.move_to(tail.x, tail.y);
            ctx.line_to(head.x, head.y);
            ctx.stroke();
            ctx.begin_path();
            ctx.move_to(head.x, head.y);
            ctx.line_to(
                head.x - ux * size - uy * size * 0.5,
                head.y - uy * size + ux * size * 0.5,
            );
            ctx.line_to(
                head.x - ux * size + uy * size * 0.5,
                head.y - uy * size - ux * size * 0.5,
            );
            ctx.close_path();
            ctx.fill();
        }
        Shape::Ellipse { center, rx, ry } => {
            let _ = ctx.ellipse(center.x, center.y, rx.abs(), ry.abs(), 0.0, 0.0, 2.0 * PI);
            ctx.stroke();
        }
        Shape::Polygon { points } => {
            if let Some((first, rest)) = points.split_first() {
                ctx.move_to(first.x, first.y);
                for p in rest {
                    ctx.line_to(p.x, p.y);
                }
                ctx.close_path();
                ctx.stroke();
            }
        }
        Shape::Text { at, text } => {
            ctx.set_font(&format!(
                "600 {}px system-ui, sans-serif",
                (width * 7.0).round()
            ));
            ctx.set_text_baseline("top");
            ctx.set_stroke_style_str("#000");
            ctx.set_line_width(width * 1.5);
            let _ = ctx.stroke_text(text, at.x, at.y);
            let _ = ctx.fill_text(text, at.x, at.y);
        }
    }
}

/// Paints the pointer of slot `slot` at `p`, as [`pointer_mark`] draws it.
pub fn paint_pointer(ctx: &web_sys::CanvasRenderingContext2d, slot: usize, p: Point, r: f64) {
    let colour = POINTER_COLOURS[slot.min(1)];
    let outline = |ctx: &web_sys::CanvasRenderingContext2d| {
        ctx.begin_path();
        if slot == 0 {
            let _ = ctx.arc(p.x, p.y, r, 0.0, 2.0 * PI);
        } else {
            ctx.move_to(p.x, p.y - r);
            ctx.line_to(p.x + r, p.y);
            ctx.line_to(p.x, p.y + r);
            ctx.line_to(p.x - r, p.y);
            ctx.close_path();
        }
    };
    for (stroke, width) in [("#000", r * 0.7), (colour, r * 0.4)] {
        outline(ctx);
        ctx.set_stroke_style_str(stroke);
        ctx.set_line_width(width);
        ctx.stroke();
    }
    if slot == 0 {
        ctx.begin_path();
        let _ = ctx.arc(p.x, p.y, r * 0.25, 0.0, 2.0 * PI);
        ctx.set_fill_style_str(colour);
        ctx.fill();
    }
}
