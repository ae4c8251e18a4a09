//! The demo data of a test's stack (`qlosync_stack::Demo`: a property, four room types mapped to
//! the simulator's, a QloApps config, and a guest, created through the api) and reservations
//! made on it.

use std::ops::{Deref, DerefMut};

use qlo_sim::SimServer;

use crate::Stack;

#[derive(Debug, Clone)]
pub struct Demo(qlosync_stack::Demo);

impl Deref for Demo {
    type Target = qlosync_stack::Demo;

    fn deref(&self) -> &qlosync_stack::Demo {
        &self.0
    }
}

impl DerefMut for Demo {
    fn deref_mut(&mut self) -> &mut qlosync_stack::Demo {
        &mut self.0
    }
}

impl Demo {
    pub async fn create(stack: &Stack, sim: &SimServer, hotel_id: u32) -> Demo {
        let demo = qlosync_stack::Demo::create(
            stack.installation(),
            "Hotel Prime PMS",
            &sim.api_url(),
            sim.api_key(),
            hotel_id,
        )
        .await
        .expect("demo data created through the api");
        Demo(demo)
    }

    /// Creates a reservation through the api; returns its id.
    pub async fn reserve(
        &self,
        stack: &Stack,
        room_type: usize,
        check_in: &str,
        check_out: &str,
        total: &str,
    ) -> String {
        let body = self.reservation_body(room_type, check_in, check_out, total);
        self.create_reservation(stack.installation(), &body)
            .await
            .expect("reservation created")
    }
}
