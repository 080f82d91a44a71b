//! The seam between the page and whatever runs the cluster. The page only ever asks for a
//! [`ClusterView`] and sends [`Command`]s; the real virtual cluster and the sample
//! [`DemoDriver`](crate::demo_driver::DemoDriver) both sit behind this trait, so swapping one for
//! the other touches no component.

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use cluster::view::ClusterView;

use crate::command::Command;

/// Something that owns a cluster, shows it and obeys commands.
pub trait Driver {
    /// The cluster as it is now.
    fn view(&self) -> ClusterView;
    /// Carries out one command. An error is a sentence for the person (the page shows it) and
    /// leaves the cluster as it was.
    fn apply(&mut self, cmd: &Command) -> Result<(), String>;
    /// Whether the view is made-up sample data rather than a simulation (the page says so).
    fn is_sample(&self) -> bool {
        false
    }
}

/// A shared handle on the driver, cheap to clone into the page state. Two handles are equal when
/// they point at the same driver, which is what props comparison needs.
#[derive(Clone)]
pub struct DriverHandle(Rc<RefCell<dyn Driver>>);

impl DriverHandle {
    pub fn new(driver: impl Driver + 'static) -> Self {
        DriverHandle(Rc::new(RefCell::new(driver)))
    }

    pub fn view(&self) -> ClusterView {
        self.0.borrow().view()
    }

    pub fn apply(&self, cmd: &Command) -> Result<(), String> {
        self.0.borrow_mut().apply(cmd)
    }

    pub fn is_sample(&self) -> bool {
        self.0.borrow().is_sample()
    }
}

impl PartialEq for DriverHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl fmt::Debug for DriverHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DriverHandle")
    }
}
