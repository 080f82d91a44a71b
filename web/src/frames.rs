//! The play loop's clock: `requestAnimationFrame`, which runs once per painted frame and pauses
//! in a hidden tab. Each call reports the real time since the previous frame.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// The per-frame callback, kept alive while the loop runs.
type FrameCallback = Closure<dyn FnMut(f64)>;

struct Inner {
    /// The pending request, to cancel on drop.
    handle: Cell<Option<i32>>,
    callback: RefCell<Option<FrameCallback>>,
    /// Set on drop: a frame running at that moment must not request another.
    stopped: Cell<bool>,
}

impl Inner {
    fn request(&self) {
        if self.stopped.get() {
            return;
        }
        let Some(window) = web_sys::window() else {
            return;
        };
        if let Some(cb) = self.callback.borrow().as_ref() {
            let id = window
                .request_animation_frame(cb.as_ref().unchecked_ref())
                .ok();
            self.handle.set(id);
        }
    }
}

/// Calls a function on every animation frame until dropped.
pub struct AnimationFrames {
    inner: Rc<Inner>,
}

impl AnimationFrames {
    /// Starts calling `on_frame(real_ms)` every frame; the first call reports 0.
    pub fn start(mut on_frame: impl FnMut(f64) + 'static) -> Self {
        let inner = Rc::new(Inner {
            handle: Cell::new(None),
            callback: RefCell::new(None),
            stopped: Cell::new(false),
        });
        // The closure holds the loop weakly: dropping the loop ends it, even mid-frame.
        let weak = Rc::downgrade(&inner);
        let mut last: Option<f64> = None;
        let closure = Closure::<dyn FnMut(f64)>::new(move |timestamp: f64| {
            let Some(inner) = weak.upgrade() else {
                return;
            };
            // After a panic the app is dead: no more frames (see `crate::panic`).
            if crate::panic::has_panicked() {
                return;
            }
            inner.handle.set(None);
            let real_ms = last.map_or(0.0, |l| (timestamp - l).max(0.0));
            last = Some(timestamp);
            on_frame(real_ms);
            inner.request();
        });
        *inner.callback.borrow_mut() = Some(closure);
        inner.request();
        AnimationFrames { inner }
    }
}

impl Drop for AnimationFrames {
    fn drop(&mut self) {
        self.inner.stopped.set(true);
        if let (Some(id), Some(window)) = (self.inner.handle.take(), web_sys::window()) {
            let _ = window.cancel_animation_frame(id);
        }
    }
}
