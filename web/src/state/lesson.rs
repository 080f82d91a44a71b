//! The page's side of a lesson: opening one and acting on it go to the driver, whose plans then
//! run in slices like a script (the same progress bar and Stop button); what the lesson shows
//! comes back in each frame.

use std::rc::Rc;

use cluster::script_run::ScriptProgress;

use super::PageState;

impl PageState {
    pub(super) fn open_lesson(&mut self, number: Option<usize>, text: Rc<str>, step: usize) {
        let r = self.driver.open_lesson(&text, step);
        if r.is_ok() {
            // The list stays open on a refusal, so a pasted lesson can be mended.
            self.learn_open = false;
            self.lesson_number = number;
            self.lesson_text = Some(text);
        }
        self.lesson_started(r);
    }

    /// After the driver took a lesson act: its plan runs in slices from the timer, or it
    /// settled at once.
    pub(super) fn lesson_started(&mut self, r: Result<Option<ScriptProgress>, String>) {
        self.playing = false;
        match r {
            Ok(Some(progress)) => {
                self.error = None;
                self.script_progress = Some(progress);
                self.script_slices += 1;
            }
            Ok(None) => self.error = None,
            Err(e) => self.error = Some(e),
        }
        self.refresh();
    }
}
