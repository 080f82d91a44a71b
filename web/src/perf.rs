//! Frame timing, published for benchmarks: every played frame measures its work (the reducer,
//! the cluster's run, the render) and the page keeps the recent figures in
//! `window.raftPlaygroundStats` = `{ frames, lastMs, meanMs, p95Ms, maxMs, driverMs, viewMs }`
//! (over the latest [`WINDOW`] frames; `driverMs` is the mean time spent in the driver — the
//! cluster's run and its view — and `viewMs` the mean time building views, so the rest of
//! `meanMs` is yew's render).

use std::cell::RefCell;
use std::collections::VecDeque;

use wasm_bindgen::JsValue;

/// How many recent frames the figures cover.
pub const WINDOW: usize = 240;

#[derive(Default)]
struct Stats {
    frames: u64,
    recent: VecDeque<f64>,
    /// Time in the driver and in building views since the last frame was recorded.
    driver: f64,
    view: f64,
    recent_driver: VecDeque<f64>,
    recent_view: VecDeque<f64>,
}

/// A part of a frame's work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Driver,
    View,
}

/// Adds time spent in one part of the current frame.
pub fn add(part: Part, ms: f64) {
    STATS.with(|s| {
        let mut s = s.borrow_mut();
        match part {
            Part::Driver => s.driver += ms,
            Part::View => s.view += ms,
        }
    });
}

fn push(q: &mut VecDeque<f64>, v: f64) {
    if q.len() == WINDOW {
        q.pop_front();
    }
    q.push_back(v);
}

fn average(q: &VecDeque<f64>) -> f64 {
    if q.is_empty() {
        0.0
    } else {
        q.iter().sum::<f64>() / q.len() as f64
    }
}

thread_local! {
    static STATS: RefCell<Stats> = RefCell::new(Stats::default());
}

/// A clock with sub-millisecond resolution where the browser has one (always 0 off the web,
/// where nothing is timed).
#[cfg(not(target_arch = "wasm32"))]
pub fn now_ms() -> f64 {
    0.0
}

/// A clock with sub-millisecond resolution where the browser has one.
#[cfg(target_arch = "wasm32")]
pub fn now_ms() -> f64 {
    let performance = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &JsValue::from_str("performance")).ok());
    if let Some(p) = performance.filter(|p| p.is_object()) {
        if let Ok(f) = js_sys::Reflect::get(&p, &JsValue::from_str("now")) {
            if let Ok(f) = wasm_bindgen::JsCast::dyn_into::<js_sys::Function>(f) {
                if let Some(t) = f.call0(&p).ok().and_then(|v| v.as_f64()) {
                    return t;
                }
            }
        }
    }
    js_sys::Date::now()
}

/// The figures over a window of frame times: (mean, 95th percentile, max).
pub fn summarize(times: &[f64]) -> (f64, f64, f64) {
    if times.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    let mut sorted = times.to_vec();
    sorted.sort_by(f64::total_cmp);
    let p95 = sorted[((sorted.len() - 1) as f64 * 0.95).round() as usize];
    let max = sorted[sorted.len() - 1];
    (mean, p95, max)
}

/// Records one frame's work and publishes the figures (in the browser).
pub fn record(ms: f64) {
    if cfg!(not(target_arch = "wasm32")) {
        return;
    }
    STATS.with(|s| {
        let mut s = s.borrow_mut();
        let s = &mut *s;
        s.frames += 1;
        push(&mut s.recent, ms);
        push(&mut s.recent_driver, std::mem::take(&mut s.driver));
        push(&mut s.recent_view, std::mem::take(&mut s.view));
        let times: Vec<f64> = s.recent.iter().copied().collect();
        let (mean, p95, max) = summarize(&times);
        let Some(window) = web_sys::window() else {
            return;
        };
        let o = js_sys::Object::new();
        let set = |k: &str, v: f64| {
            let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_f64(v));
        };
        set("frames", s.frames as f64);
        set("lastMs", ms);
        set("meanMs", mean);
        set("p95Ms", p95);
        set("maxMs", max);
        set("driverMs", average(&s.recent_driver));
        set("viewMs", average(&s.recent_view));
        let _ = js_sys::Reflect::set(&window, &JsValue::from_str("raftPlaygroundStats"), &o);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_summarize_the_window() {
        assert_eq!(summarize(&[]), (0.0, 0.0, 0.0));
        let times: Vec<f64> = (1..=100).map(f64::from).collect();
        let (mean, p95, max) = summarize(&times);
        assert_eq!(mean, 50.5);
        assert_eq!(p95, 95.0);
        assert_eq!(max, 100.0);
    }
}
