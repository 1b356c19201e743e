//! Browser objects the replay pages keep (a chosen package, a recorded voice, the running
//! recorder) live in this thread's table, outside the reactive graph, as the viewer keeps its
//! players: the server renders pages on any thread and must never hold, or drop, one. A page
//! keeps a [`Held`] handle, which is `Copy` and `Send` whatever it points at.
use std::any::Any;
use std::cell::RefCell;
use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};

thread_local! {
    static HELD: RefCell<HashMap<u64, Box<dyn Any>>> = RefCell::new(HashMap::new());
}

static NEXT: AtomicU64 = AtomicU64::new(1);

/// A slot for one `T` in this thread's table (empty until set).
pub struct Held<T> {
    key: u64,
    kind: PhantomData<fn() -> T>,
}

impl<T> Clone for Held<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Held<T> {}

impl<T: 'static> Held<T> {
    /// An empty slot.
    pub fn new() -> Held<T> {
        Held {
            key: NEXT.fetch_add(1, Ordering::Relaxed),
            kind: PhantomData,
        }
    }

    /// Puts `value` in the slot (`None` empties it).
    pub fn set(self, value: Option<T>) {
        let old = HELD.with(|held| match value {
            Some(v) => held.borrow_mut().insert(self.key, Box::new(v)),
            None => held.borrow_mut().remove(&self.key),
        });
        // Dropped outside the borrow: a value's own drop may reach for the table.
        drop(old);
    }

    /// Takes what the slot holds, leaving it empty.
    pub fn take(self) -> Option<T> {
        let taken = HELD.with(|held| held.borrow_mut().remove(&self.key))?;
        taken.downcast::<T>().ok().map(|b| *b)
    }

    /// Runs `f` on what the slot holds.
    pub fn with<R>(self, f: impl FnOnce(Option<&T>) -> R) -> R {
        HELD.with(|held| {
            let held = held.borrow();
            f(held.get(&self.key).and_then(|v| v.downcast_ref::<T>()))
        })
    }
}

impl<T: Clone + 'static> Held<T> {
    /// A copy of what the slot holds (browser objects are references: cheap).
    pub fn get(self) -> Option<T> {
        self.with(|v| v.cloned())
    }
}

impl<T: 'static> Default for Held<T> {
    fn default() -> Self {
        Held::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_holds_one_value_until_taken() {
        let a = Held::<String>::new();
        let b = Held::<String>::new();
        assert_eq!(a.get(), None);
        a.set(Some("voice".into()));
        b.set(Some("package".into()));
        assert_eq!(a.get().as_deref(), Some("voice"));
        assert_eq!(a.with(|v| v.map(String::len)), Some(5));
        assert_eq!(a.take().as_deref(), Some("voice"));
        assert_eq!(a.take(), None);
        assert_eq!(b.get().as_deref(), Some("package"));
        b.set(None);
        assert_eq!(b.get(), None);
    }

    #[test]
    fn another_thread_sees_nothing_and_holds_nothing() {
        let a = Held::<String>::new();
        a.set(Some("here".into()));
        std::thread::spawn(move || {
            assert_eq!(a.get(), None);
            a.set(None);
        })
        .join()
        .unwrap();
        assert_eq!(a.get().as_deref(), Some("here"));
        a.set(None);
    }
}
