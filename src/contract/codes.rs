//! Enums stored and sent as short codes (`"success"`, `"abo"`), each code written once:
//! [`codes!`] declares the enum with `ALL` (in declaration order), `code()`, `from_code()` and
//! `TryFrom<String>` (how the store reads a column).

/// Declares `enum $name` whose variants each carry their code:
///
/// ```ignore
/// codes! {
///     /// Where an order stands.
///     #[derive(Clone, Copy, Debug, PartialEq, Eq)]
///     pub enum OrderStatus ("order status") { Pending = "pending", Success = "success" }
/// }
/// ```
///
/// The text in parentheses names the enum in the error of an unknown code.
#[macro_export]
macro_rules! codes {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident ($what:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: [$name; [$($code),+].len()] = [$($name::$variant),+];

            /// As stored and sent.
            pub fn code(self) -> &'static str {
                match self {
                    $( $name::$variant => $code ),+
                }
            }

            pub fn from_code(code: &str) -> Option<Self> {
                match code {
                    $( $code => Some($name::$variant), )+
                    _ => None,
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(code: String) -> Result<Self, String> {
                $name::from_code(&code).ok_or_else(|| format!(concat!("unknown ", $what, " `{}`"), code))
            }
        }
    };
}
