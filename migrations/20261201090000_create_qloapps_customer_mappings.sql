-- The QloApps customer a PMS guest is known as, per config (sync_core::push::customer).
-- `PUT bookings` needs a customer that already exists with the email it is sent (QloApps 1.6.1
-- answers "Customer not found." otherwise), so before an update the push makes sure of it and
-- remembers the email it made sure of; only a changed email costs QloApps calls again.
-- `qloapps_customer_id` is NULL when the customer was created by `POST bookings` and its id
-- never came back (stock PHP 8 answers that POST with a 500).
CREATE TABLE qloapps_customer_mappings (
    config_id           UUID        NOT NULL REFERENCES qloapps_config (id) ON DELETE CASCADE,
    guest_id            UUID        NOT NULL REFERENCES guests (id) ON DELETE CASCADE,
    email               TEXT        NOT NULL CHECK (length(email) <= 255),
    qloapps_customer_id BIGINT      CHECK (qloapps_customer_id > 0),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (config_id, guest_id)
);
