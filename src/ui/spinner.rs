//! A busy indicator that costs little: egui's own spinner asks for a frame every frame, which
//! under software rendering (a VM, a remote desktop, Mesa's llvmpipe) is a whole core for as
//! long as a connection attempt lasts. This one moves ten times a second.

use std::time::Duration;

use egui::{Pos2, Rect, Sense, Shape, Stroke, Ui, Vec2};

/// How often the spinner moves.
pub(crate) const SPINNER_FRAME: Duration = Duration::from_millis(100);

/// Draws a spinner `size` points wide and asks for the next frame in [`SPINNER_FRAME`].
pub(crate) fn ui_spinner(ui: &mut Ui, size: f32) -> egui::Response {
    let (rect, response) = ui.allocate_exact_size(Vec2::splat(size), Sense::hover());
    if ui.is_rect_visible(rect) {
        paint(ui, rect);
        ui.ctx().request_repaint_after(SPINNER_FRAME);
    }
    response
}

fn paint(ui: &Ui, rect: Rect) {
    let color = ui.visuals().strong_text_color();
    let radius = rect.height().min(rect.width()) * 0.5 - 2.0;
    // The time in whole frames, so every repaint in between draws the same picture.
    let step = SPINNER_FRAME.as_secs_f64();
    let time = (ui.input(|i| i.time) / step).floor() * step;
    let start = time * std::f64::consts::TAU;
    let end = start + 240f64.to_radians() * time.sin();
    let n = 24;
    let points: Vec<Pos2> = (0..n)
        .map(|i| {
            let angle = start + (end - start) * f64::from(i) / f64::from(n);
            let (sin, cos) = angle.sin_cos();
            rect.center() + radius * Vec2::new(cos as f32, sin as f32)
        })
        .collect();
    ui.painter()
        .add(Shape::line(points, Stroke::new(2.5, color)));
}
