//! Where things go on the cluster diagram. Pure arithmetic, tested natively.

/// A point in the diagram's SVG coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// The diagram's coordinate space (the SVG viewBox). Wider than tall, like the space the page
/// gives it at 1280×720, so the ring is an ellipse: a circle would leave the sides empty and
/// draw everything smaller.
pub const WIDTH: f64 = 800.0;
pub const HEIGHT: f64 = 400.0;
pub const CENTER: Point = Point {
    x: WIDTH / 2.0,
    y: HEIGHT / 2.0 - 5.0,
};
/// Radius of a node's body, and of the election timer ring around it.
pub const NODE_R: f64 = 28.0;
pub const TIMER_R: f64 = 35.0;

/// Horizontal and vertical radii of the ring the nodes sit on: wide enough to keep labels
/// apart, low enough that the crown above the top node and the labels under the bottom ones
/// stay inside the picture.
pub fn ring_radii(n: usize) -> (f64, f64) {
    match n {
        0 | 1 => (0.0, 0.0),
        2 => (180.0, 0.0),
        _ => (265.0, 120.0),
    }
}

/// Positions of `n` nodes on the ring: the first at the top, then clockwise, as on a clock face.
pub fn ring_positions(n: usize) -> Vec<Point> {
    let (rx, ry) = ring_radii(n);
    (0..n)
        .map(|i| {
            // Two nodes sit side by side rather than one above the other.
            let start = if n == 2 {
                std::f64::consts::PI
            } else {
                -std::f64::consts::FRAC_PI_2
            };
            let angle = start + std::f64::consts::TAU * i as f64 / n as f64;
            Point {
                x: CENTER.x + rx * angle.cos(),
                y: CENTER.y + ry * angle.sin(),
            }
        })
        .collect()
}

/// How far along its link a message is, from 0 (just sent) to 1 (arriving), by virtual time.
pub fn progress(sent_at: u64, arrives_at: u64, now: u64) -> f64 {
    if arrives_at <= sent_at {
        return 1.0;
    }
    let t = (now.saturating_sub(sent_at)) as f64 / (arrives_at - sent_at) as f64;
    t.clamp(0.0, 1.0)
}

/// The point a fraction `t` of the way from `a` to `b`, on the part of the segment outside both
/// nodes' timer rings, shifted `lane` units to the right of the direction of travel. Opposite
/// directions thus travel on separate lanes and a request never hides its response.
pub fn along(a: Point, b: Point, t: f64, lane: f64) -> Point {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len = (dx * dx + dy * dy).sqrt();
    if len < f64::EPSILON {
        return a;
    }
    let (ux, uy) = (dx / len, dy / len);
    let margin = (TIMER_R + 8.0).min(len / 2.0);
    let d = margin + (len - 2.0 * margin) * t;
    // The right-hand normal of (ux, uy) in SVG's y-down coordinates is (-uy, ux).
    Point {
        x: a.x + ux * d - uy * lane,
        y: a.y + uy * d + ux * lane,
    }
}

/// The length of a circle's circumference, for drawing a part of it with a dash array.
pub fn circumference(r: f64) -> f64 {
    std::f64::consts::TAU * r
}

/// Height of a message's pill; its ends are half circles.
pub const PILL_H: f64 = 16.0;

/// Width of a message's pill for its label, from an average glyph width of the diagram's small
/// font; a held message has room for its pause mark.
pub fn pill_width(label: &str, held: bool) -> f64 {
    label.chars().count() as f64 * 5.6 + if held { 24.0 } else { 12.0 }
}

/// Where a message's pill is drawn, in diagram coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PillBox {
    pub id: u64,
    pub center: Point,
    pub width: f64,
}

impl PillBox {
    /// Whether `p` falls on the pill (its rectangle, a little generous at the rounded ends,
    /// which only makes it easier to hit).
    pub fn contains(&self, p: Point) -> bool {
        (p.x - self.center.x).abs() <= self.width / 2.0
            && (p.y - self.center.y).abs() <= PILL_H / 2.0
    }
}

/// The message under `p`: pills are drawn in order, so the last one that contains the point
/// is the one on top.
pub fn pill_at(pills: &[PillBox], p: Point) -> Option<u64> {
    pills.iter().rev().find(|b| b.contains(p)).map(|b| b.id)
}

/// How the diagram's coordinates map onto an element `width` × `height` CSS pixels large, the
/// way SVG's `preserveAspectRatio="xMidYMid meet"` does it: one scale for both axes, as large
/// as fits, and the picture centred in the spare room.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fit {
    pub scale: f64,
    pub dx: f64,
    pub dy: f64,
}

impl Fit {
    pub fn new(width: f64, height: f64) -> Fit {
        let scale = (width / WIDTH).min(height / HEIGHT).max(0.0);
        Fit {
            scale,
            dx: (width - WIDTH * scale) / 2.0,
            dy: (height - HEIGHT * scale) / 2.0,
        }
    }

    /// A diagram point in the element's pixels.
    pub fn to_pixels(&self, p: Point) -> Point {
        Point {
            x: self.dx + p.x * self.scale,
            y: self.dy + p.y * self.scale,
        }
    }

    /// A point of the element (in pixels) in diagram coordinates.
    pub fn to_diagram(&self, x: f64, y: f64) -> Point {
        if self.scale <= 0.0 {
            return Point { x: -1.0, y: -1.0 };
        }
        Point {
            x: (x - self.dx) / self.scale,
            y: (y - self.dy) / self.scale,
        }
    }
}

/// A number with one decimal, as the diagram writes coordinates into SVG attributes (`12.3`,
/// `-0.5`). Integer arithmetic on the tenths keeps the float printer, with its tables, out of
/// the page's wasm.
pub fn tenths(x: f64) -> String {
    let t = (x * 10.0).round();
    // Far off the diagram is as good as the edge of it.
    let t = t.clamp(-1e15, 1e15) as i64;
    let sign = if t < 0 { "-" } else { "" };
    let t = t.unsigned_abs();
    format!("{sign}{}.{}", t / 10, t % 10)
}

/// A rate in [0, 1] as a whole percentage (`0.25` is `25`).
pub fn percent(rate: f64) -> u32 {
    (rate.clamp(0.0, 1.0) * 100.0).round() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6
    }

    #[test]
    fn tenths_print_one_decimal_within_half_a_tenth() {
        assert_eq!(tenths(0.0), "0.0");
        assert_eq!(tenths(12.34), "12.3");
        assert_eq!(tenths(12.36), "12.4");
        assert_eq!(tenths(-0.04), "0.0");
        assert_eq!(tenths(-7.96), "-8.0");
        assert_eq!(tenths(-0.5), "-0.5");
        assert_eq!(tenths(628.3185), "628.3");
        assert_eq!(tenths(f64::NAN), "0.0");
        for k in -20_000..20_000 {
            let x = f64::from(k) * 0.0173;
            let text = tenths(x);
            let (int, frac) = text.split_once('.').expect("a point");
            assert!(frac.len() == 1 && !int.is_empty(), "{text}");
            let back: f64 = text.parse().unwrap();
            assert!((back - x).abs() <= 0.05 + 1e-9, "{x} printed {text}");
            // Away from a tie it is exactly what the standard printer writes.
            let r = format!("{x:.1}");
            if ((x * 10.0).fract().abs() - 0.5).abs() > 1e-6 && r != "-0.0" {
                assert_eq!(text, r, "{x}");
            }
        }
    }

    #[test]
    fn percentages_round_and_stay_in_range() {
        assert_eq!(
            [0.0, 0.1, 0.125, 0.3, 0.999, 1.0, 2.0, -1.0].map(percent),
            [0, 10, 13, 30, 100, 100, 100, 0]
        );
    }

    #[test]
    fn nodes_start_at_the_top_and_go_clockwise() {
        let p = ring_positions(4);
        let (rx, ry) = ring_radii(4);
        assert!(close(p[0].x, CENTER.x) && close(p[0].y, CENTER.y - ry));
        assert!(close(p[1].x, CENTER.x + rx) && close(p[1].y, CENTER.y));
        assert!(close(p[2].y, CENTER.y + ry));
        assert!(close(p[3].x, CENTER.x - rx));
        assert_eq!(ring_positions(1), vec![CENTER]);
        let two = ring_positions(2);
        assert!(close(two[0].y, two[1].y) && two[0].x < two[1].x);
    }

    #[test]
    fn nine_nodes_fit_with_room_for_their_labels() {
        for n in 1..=9 {
            let p = ring_positions(n);
            for q in &p {
                // Labels reach about 75 units to each side and two lines (30 units) past the
                // timer ring, above the nodes of the upper half and below the others.
                assert!(q.x - 75.0 > 0.0 && q.x + 75.0 < WIDTH, "n={n} {q:?}");
                assert!(q.y - TIMER_R - 30.0 > 0.0, "n={n} {q:?}");
                assert!(q.y + TIMER_R + 30.0 < HEIGHT, "n={n} {q:?}");
            }
            // Neighbours never overlap, even with nine.
            for i in 0..n {
                let (a, b) = (p[i], p[(i + 1) % n]);
                if n > 1 {
                    assert!(
                        ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt() > 2.0 * TIMER_R + 10.0
                    );
                }
            }
        }
    }

    #[test]
    fn progress_follows_virtual_time() {
        assert_eq!(progress(100, 140, 100), 0.0);
        assert_eq!(progress(100, 140, 120), 0.5);
        assert_eq!(progress(100, 140, 500), 1.0);
        assert_eq!(progress(100, 140, 50), 0.0);
        assert_eq!(progress(100, 100, 100), 1.0, "instant links");
    }

    #[test]
    fn opposite_directions_use_opposite_lanes() {
        let a = Point { x: 0.0, y: 0.0 };
        let b = Point { x: 200.0, y: 0.0 };
        let ab = along(a, b, 0.5, 6.0);
        let ba = along(b, a, 0.5, 6.0);
        assert!(close(ab.x, 100.0) && close(ba.x, 100.0));
        assert!(close(ab.y, -ba.y) && ab.y != 0.0);
        // Messages leave from the edge of the timer ring, not the node's centre.
        assert!(along(a, b, 0.0, 0.0).x > TIMER_R);
        assert!(along(a, b, 1.0, 0.0).x < 200.0 - TIMER_R);
    }

    #[test]
    fn the_topmost_pill_under_a_point_is_hit() {
        let at = |x, y| Point { x, y };
        let pills = [
            PillBox {
                id: 1,
                center: at(100.0, 100.0),
                width: 40.0,
            },
            PillBox {
                id: 2,
                center: at(110.0, 104.0),
                width: 40.0,
            },
        ];
        assert_eq!(pill_at(&pills, at(85.0, 95.0)), Some(1));
        assert_eq!(
            pill_at(&pills, at(105.0, 102.0)),
            Some(2),
            "drawn last, on top"
        );
        assert_eq!(pill_at(&pills, at(129.0, 110.0)), Some(2));
        assert_eq!(
            pill_at(&pills, at(131.0, 104.0)),
            None,
            "past the right end"
        );
        assert_eq!(pill_at(&pills, at(100.0, 91.0)), None, "above the pills");
        assert_eq!(pill_at(&[], at(0.0, 0.0)), None);
        assert!(pill_width("App", true) > pill_width("App", false));
        assert!(pill_width("HB resp", false) > pill_width("App", false));
    }

    #[test]
    fn the_fit_matches_svg_meet() {
        // Twice as wide as the diagram's shape: full height, centred horizontally.
        let f = Fit::new(1600.0, 400.0);
        assert_eq!(
            f,
            Fit {
                scale: 1.0,
                dx: 400.0,
                dy: 0.0
            }
        );
        // Taller: full width, centred vertically.
        let f = Fit::new(400.0, 400.0);
        assert_eq!(
            f,
            Fit {
                scale: 0.5,
                dx: 0.0,
                dy: 100.0
            }
        );
        let p = Point { x: 123.0, y: 45.0 };
        let px = f.to_pixels(p);
        assert_eq!(px, Point { x: 61.5, y: 122.5 });
        assert_eq!(f.to_diagram(px.x, px.y), p);
        // An element with no size yet hits nothing.
        let none = Fit::new(0.0, 0.0);
        assert!(none.to_diagram(10.0, 10.0).x < 0.0);
    }
}
