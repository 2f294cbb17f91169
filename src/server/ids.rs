//! The server's ids, one type each, so a function that takes an order's id and a customer's
//! cannot be called with the two swapped. On the wire (the contract) and in the database
//! they are plain text; the types live here, where the ids are used.

/// Declares an id type: text underneath, stored and serialised as that text.
macro_rules! id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[derive(serde::Serialize, serde::Deserialize, sqlx::Type)]
        #[serde(transparent)]
        #[sqlx(transparent)]
        pub struct $name(pub String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        /// Read as text where text is asked for (SQL binds, log fields, sealing).
        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                $name(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                $name(id.to_string())
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }
    };
}

id! {
    /// An order's id (ours: random, 24 hex characters).
    OrderId
}
id! {
    /// A job's id in the queue (a host's delivery or a typed job).
    JobId
}
id! {
    /// onOffice's `customerWebId`: the customer (office) a launch or delivery is for; a
    /// Kolibri24 agency's id in the same place.
    CustomerWebId
}
id! {
    /// onOffice's `userId`: the user within the customer's office.
    UserId
}

/// A fresh random id: 24 hex characters.
pub fn new_id() -> String {
    hex::encode(rand::random::<[u8; 12]>())
}

impl OrderId {
    pub fn random() -> Self {
        OrderId(new_id())
    }
}

impl JobId {
    pub fn random() -> Self {
        JobId(new_id())
    }
}
