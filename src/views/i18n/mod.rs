//! German and English texts. Every string is a field of [`Texts`], so a language without it
//! does not compile.

use crate::contract::catalogue::{Circle, Needs};
use crate::contract::lang::Lang;
use crate::contract::orders::{Fulfilment, OrderStatus};

/// The texts of a language: `lang.texts()`, `lang.back_office()`.
pub trait Localised {
    fn texts(self) -> &'static Texts;
    fn back_office(self) -> &'static BackOfficeTexts;
}

impl Localised for Lang {
    fn texts(self) -> &'static Texts {
        match self {
            Lang::De => &DE,
            Lang::En => &EN,
        }
    }

    fn back_office(self) -> &'static BackOfficeTexts {
        back_office::texts(self)
    }
}

impl Texts {
    /// The words for onOffice's `circleofusers`.
    pub fn circle_label(&self, circle: Circle) -> &'static str {
        match circle {
            Circle::Customer => self.circle_customer,
            Circle::Group => self.circle_group,
            Circle::User => self.circle_user,
        }
    }

    /// Why something cannot be ordered from this launch.
    pub fn unmet_need(&self, needs: Needs) -> &'static str {
        match needs {
            Needs::Property => self.needs_property,
            Needs::Address => self.needs_address,
        }
    }

    /// How far a contract got.
    pub fn fulfilment(&self, f: Fulfilment) -> &'static str {
        self.fulfilments[f as usize]
    }

    /// Where an order stands, in words.
    pub fn order_status(&self, s: OrderStatus) -> &'static str {
        self.order_statuses[s as usize]
    }
}

/// Words for each variant of a code enum, written beside the variant and checked when
/// compiling: in the enum's order and none missing, so `words[variant as usize]` cannot
/// mislabel one when variants are reordered or added.
macro_rules! labels {
    ($enum:ident { $($variant:ident => $words:literal),+ $(,)? }) => {{
        const KEYS: &[$enum] = &[$($enum::$variant),+];
        const _: () = {
            assert!(KEYS.len() == $enum::ALL.len(), concat!("a ", stringify!($enum), " without words"));
            let mut i = 0;
            while i < KEYS.len() {
                assert!(KEYS[i] as usize == i, concat!("words out of ", stringify!($enum), "'s order"));
                i += 1;
            }
        };
        [$($words),+]
    }};
}

pub struct Texts {
    pub opening: &'static str,
    pub expired_title: &'static str,
    pub expired_body: &'static str,
    pub modified_title: &'static str,
    pub modified_body: &'static str,
    pub invalid_title: &'static str,
    pub invalid_body: &'static str,
    pub reason: &'static str,
    pub session_title: &'static str,
    pub session_body: &'static str,
    pub error_title: &'static str,
    pub error_body: &'static str,
    pub customer: &'static str,
    pub user: &'static str,
    pub group: &'static str,
    pub property: &'static str,
    pub address: &'static str,
    pub images: &'static str,
    pub refresh: &'static str,
    pub refresh_and_close: &'static str,
    pub close: &'static str,
    pub sent: &'static str,
    pub no_parent: &'static str,
    pub new_tab: &'static str,
    pub close_blocked: &'static str,
    pub products: &'static str,
    pub subscriptions: &'static str,
    pub cart_full: &'static str,
    pub add_to_cart: &'static str,
    pub cart: &'static str,
    pub cart_empty: &'static str,
    pub quantity: &'static str,
    /// Headings and labels only a screen reader speaks.
    pub product: &'static str,
    pub one_fewer: &'static str,
    pub one_more: &'static str,
    pub remove: &'static str,
    pub total: &'static str,
    pub order_now: &'static str,
    pub subscribe: &'static str,
    pub per_month: &'static str,
    pub duration: &'static str,
    pub months: &'static str,
    pub notice_period: &'static str,
    pub renewal: &'static str,
    pub circle: &'static str,
    pub circle_customer: &'static str,
    pub circle_group: &'static str,
    pub circle_user: &'static str,
    pub needs_property: &'static str,
    pub needs_address: &'static str,
    pub for_images: &'static str,
    pub placing: &'static str,
    pub waiting: &'static str,
    pub order_needs_host: &'static str,
    pub order_failed: &'static str,
    pub thank_you: &'static str,
    pub thank_you_subscription: &'static str,
    pub transaction: &'static str,
    pub subscription_id: &'static str,
    pub inprocess: &'static str,
    pub payment_failed: &'static str,
    pub order_number: &'static str,
    pub orders: &'static str,
    pub admin_token: &'static str,
    pub show: &'static str,
    pub time: &'static str,
    pub status: &'static str,
    pub newer: &'static str,
    pub older: &'static str,
    pub no_orders: &'static str,
    pub export_title: &'static str,
    pub export_from: &'static str,
    pub export_to: &'static str,
    pub export_download: &'static str,
    pub loading: &'static str,
    pub activation_title: &'static str,
    pub activation_intro: &'static str,
    pub api_key: &'static str,
    pub consent: &'static str,
    pub activate: &'static str,
    pub activating: &'static str,
    pub active: &'static str,
    pub already_active: &'static str,
    pub activation_failed: &'static str,
    pub property_loading: &'static str,
    pub property_needs_launch: &'static str,
    pub property_not_activated: &'static str,
    pub property_unavailable: &'static str,
    pub property_claim_outdated: &'static str,
    pub property_no_permission: &'static str,
    pub property_unknown_record: &'static str,
    pub property_key_refused: &'static str,
    pub payment_reported_short: &'static str,
    pub payment_reported_body: &'static str,
    pub number: &'static str,
    pub webhooks: &'static str,
    pub attempts: &'static str,
    pub error: &'static str,
    pub widget_title: &'static str,
    pub widget_invoice: &'static str,
    pub request: &'static str,
    pub requesting: &'static str,
    pub your_requests: &'static str,
    pub no_requests: &'static str,
    pub contract: &'static str,
    /// Words for each [`Fulfilment`], keyed by variant.
    pub fulfilments: [&'static str; 4],
    pub your_orders: &'static str,
    /// Words for each [`OrderStatus`], keyed by variant.
    pub order_statuses: [&'static str; 5],
}

pub static DE: Texts = Texts {
    opening: "Dienst wird geöffnet …",
    expired_title: "Dieser Link ist abgelaufen",
    expired_body: "Der Aufruf ist zu alt (oder die Uhrzeit weicht zu stark ab). Bitte öffnen Sie den Dienst erneut aus onOffice enterprise.",
    modified_title: "Dieser Link wurde verändert",
    modified_body: "Die Signatur passt nicht zu den Parametern des Aufrufs. Bitte öffnen Sie den Dienst direkt aus onOffice enterprise.",
    invalid_title: "Ungültiger Aufruf",
    invalid_body: "Dieser Dienst kann nur aus onOffice enterprise geöffnet werden.",
    reason: "Grund",
    session_title: "Sitzung abgelaufen",
    session_body: "Bitte öffnen Sie den Dienst erneut aus onOffice enterprise.",
    error_title: "Etwas ist schiefgegangen",
    error_body: "Bitte versuchen Sie es erneut. Bleibt der Fehler, wenden Sie sich an den Anbieter.",
    customer: "Kunde",
    user: "Benutzer",
    group: "Gruppe",
    property: "Immobilie",
    address: "Adresse",
    images: "Bilder",
    refresh: "onOffice aktualisieren",
    refresh_and_close: "Aktualisieren und schließen",
    close: "Schließen",
    sent: "An onOffice gesendet.",
    no_parent: "Kein erlaubtes onOffice-Fenster gefunden: es wurde nichts gesendet.",
    new_tab: "Geöffnet in einem eigenen Tab, ohne onOffice-Fenster.",
    close_blocked: "Der Browser erlaubt nicht, diesen Tab zu schließen. Bitte schließen Sie ihn selbst.",
    products: "Produkte",
    subscriptions: "Abonnements",
    add_to_cart: "In den Warenkorb",
    cart_full: "Der Warenkorb ist voll: höchstens 50 Positionen.",
    cart: "Warenkorb",
    cart_empty: "Der Warenkorb ist leer.",
    quantity: "Menge",
    product: "Produkt",
    one_fewer: "Eins weniger",
    one_more: "Eins mehr",
    remove: "Entfernen",
    total: "Summe",
    order_now: "Kostenpflichtig bestellen",
    subscribe: "Abonnieren",
    per_month: "pro Monat",
    duration: "Laufzeit",
    months: "Monate",
    notice_period: "Kündigungsfrist",
    renewal: "Automatische Verlängerung",
    circle: "Für",
    circle_customer: "Alle Benutzer des Kunden",
    circle_group: "Gruppe",
    circle_user: "Nur diesen Benutzer",
    needs_property: "Dieser Service kann nur aus einer Immobilie aufgerufen werden.",
    needs_address: "Dieser Service kann nur aus einer Adresse aufgerufen werden.",
    for_images: "Für die Bilder",
    placing: "Bestellung wird angelegt …",
    waiting: "Warte auf die Zahlungsbestätigung in onOffice …",
    order_needs_host: "Bestellen geht nur im onOffice-Fenster, denn onOffice bestätigt die Zahlung. Bitte öffnen Sie den Dienst aus onOffice enterprise.",
    order_failed: "Die Bestellung konnte nicht angelegt werden",
    thank_you: "Vielen Dank für Ihre Bestellung!",
    thank_you_subscription: "Vielen Dank für Ihr Abonnement!",
    transaction: "Transaktionsnummer",
    subscription_id: "Abo-Nummer",
    inprocess: "Die Zahlung per SEPA-Lastschrift wird bearbeitet.",
    payment_failed: "Die Zahlung wurde nicht abgeschlossen.",
    order_number: "Bestellnummer",
    orders: "Bestellungen",
    admin_token: "Admin-Token",
    show: "Anzeigen",
    time: "Zeit",
    status: "Status",
    newer: "Neuere",
    older: "Ältere",
    no_orders: "Noch keine Bestellungen.",
    export_title: "Export für die Buchhaltung (CSV)",
    export_from: "Vom",
    export_to: "bis",
    export_download: "Herunterladen",
    loading: "Wird geladen …",
    activation_title: "Dienst freischalten",
    activation_intro: "Fügen Sie den API-Schlüssel (Secret) des API-Benutzers Ihres onOffice-Kontos ein.",
    api_key: "API-Schlüssel",
    consent: "Ich habe die Datenschutzerklärung gelesen und erlaube dem Anbieter, mit diesem Schlüssel auf die Daten unseres onOffice-Kontos zuzugreifen.",
    activate: "Freischalten",
    activating: "Wird freigeschaltet …",
    active: "Der Dienst ist aktiv.",
    already_active: "Der Dienst ist bereits aktiv. Eine erneute Freischaltung ersetzt die gespeicherten Zugangsdaten.",
    activation_failed: "Die Freischaltung ist fehlgeschlagen",
    property_loading: "Angaben zur Immobilie werden geladen …",
    property_needs_launch: "Die Angaben zur Immobilie erscheinen, wenn Sie den Service erneut aus onOffice öffnen.",
    property_not_activated: "Der Anbieter ist für Ihr onOffice-Konto noch nicht freigeschaltet: Details können nicht gelesen werden.",
    property_unavailable: "Details konnten nicht aus onOffice gelesen werden",
    property_claim_outdated: "Aufruf veraltet: bitte den Service erneut aus onOffice öffnen.",
    property_no_permission: "Ihr API-Benutzer darf diesen Datensatz in onOffice nicht lesen.",
    property_unknown_record: "onOffice kennt diesen Datensatz nicht (mehr).",
    payment_reported_short: "Zahlung vom Browser gemeldet, nicht bestätigt",
    payment_reported_body: "Der Anbieter prüft sie; bis dahin bleibt die Bestellung offen.",
    property_key_refused: "onOffice lehnt den API-Schlüssel ab: bitte den Service erneut aktivieren.",
    number: "Nr.",
    webhooks: "Webhooks",
    attempts: "Versuche",
    error: "Fehler",
    widget_title: "Leistungen für dieses Objekt",
    widget_invoice: "Angefragte Leistungen stellt der Anbieter gesondert in Rechnung.",
    request: "Anfragen",
    requesting: "Wird angefragt …",
    your_requests: "Ihre Anfragen",
    no_requests: "Noch keine Anfragen.",
    contract: "Vertrag",
    fulfilments: labels!(Fulfilment {
        Creating => "wird erstellt",
        Sent => "zur Unterschrift versandt",
        Signed => "unterschrieben",
        Declined => "abgelehnt",
    }),
    your_orders: "Ihre Bestellungen",
    order_statuses: labels!(OrderStatus {
        Pending => "offen",
        Success => "bezahlt",
        Inprocess => "Lastschrift in Bearbeitung",
        Error => "nicht bezahlt",
        Requested => "angefragt",
    }),
};

pub static EN: Texts = Texts {
    opening: "Opening the service …",
    expired_title: "This link has expired",
    expired_body: "The call is too old (or the clock is too far off). Please open the service again from onOffice enterprise.",
    modified_title: "This link has been modified",
    modified_body: "The signature does not match the call's parameters. Please open the service directly from onOffice enterprise.",
    invalid_title: "Invalid call",
    invalid_body: "This service can only be opened from onOffice enterprise.",
    reason: "Reason",
    session_title: "Session expired",
    session_body: "Please reopen the service from onOffice enterprise.",
    error_title: "Something went wrong",
    error_body: "Please try again. If the error persists, contact the provider.",
    customer: "Customer",
    user: "User",
    group: "Group",
    property: "Property",
    address: "Address",
    images: "Images",
    refresh: "Refresh onOffice",
    refresh_and_close: "Refresh and close",
    close: "Close",
    sent: "Sent to onOffice.",
    no_parent: "No allowed onOffice window found: nothing was sent.",
    new_tab: "Opened in a tab of its own, without an onOffice window.",
    close_blocked: "The browser does not allow closing this tab. Please close it yourself.",
    products: "Products",
    subscriptions: "Subscriptions",
    add_to_cart: "Add to cart",
    cart_full: "The cart is full: at most 50 lines.",
    cart: "Cart",
    cart_empty: "The cart is empty.",
    quantity: "Quantity",
    product: "Product",
    one_fewer: "One fewer",
    one_more: "One more",
    remove: "Remove",
    total: "Total",
    order_now: "Place order",
    subscribe: "Subscribe",
    per_month: "per month",
    duration: "Term",
    months: "months",
    notice_period: "Notice period",
    renewal: "Automatic renewal",
    circle: "For",
    circle_customer: "Everyone at the customer",
    circle_group: "Group",
    circle_user: "This user only",
    needs_property: "This service can only be called from a property.",
    needs_address: "This service can only be called from an address.",
    for_images: "For the images",
    placing: "Creating the order …",
    waiting: "Waiting for the payment confirmation in onOffice …",
    order_needs_host: "Ordering works only inside the onOffice window, as onOffice confirms the payment. Please open the service from onOffice enterprise.",
    order_failed: "The order could not be created",
    thank_you: "Thank you for your order!",
    thank_you_subscription: "Thank you for subscribing!",
    transaction: "Transaction id",
    subscription_id: "Subscription id",
    inprocess: "Your SEPA direct debit is being processed.",
    payment_failed: "The payment was not completed.",
    order_number: "Order number",
    orders: "Orders",
    admin_token: "Admin token",
    show: "Show",
    time: "Time",
    status: "Status",
    newer: "Newer",
    older: "Older",
    no_orders: "No orders yet.",
    export_title: "Export for accounting (CSV)",
    export_from: "From",
    export_to: "to",
    export_download: "Download",
    loading: "Loading …",
    activation_title: "Activate the service",
    activation_intro: "Paste the API key (secret) of your onOffice account's API user.",
    api_key: "API key",
    consent: "I have read the privacy policy and allow the provider to access our onOffice account's data with this key.",
    activate: "Activate",
    activating: "Activating …",
    active: "The service is active.",
    already_active: "The service is already active. Activating again replaces the stored credentials.",
    activation_failed: "Activation failed",
    property_loading: "Loading the property details …",
    property_needs_launch: "The property details appear when you open the service from onOffice again.",
    property_not_activated: "The provider is not activated for your onOffice account yet: details cannot be read.",
    property_unavailable: "Details could not be read from onOffice",
    property_claim_outdated: "Launch outdated: please open the service from onOffice again.",
    property_no_permission: "Your API user may not read this record in onOffice.",
    property_unknown_record: "onOffice does not know this record (any more).",
    payment_reported_short: "Payment reported by the browser, not confirmed",
    payment_reported_body: "The provider checks it; until then the order stays open.",
    property_key_refused: "onOffice refuses the API key: please activate the service again.",
    number: "No.",
    webhooks: "Webhooks",
    attempts: "Attempts",
    error: "Error",
    widget_title: "Services for this entity",
    widget_invoice: "The provider invoices requested services separately.",
    request: "Request",
    requesting: "Requesting …",
    your_requests: "Your requests",
    no_requests: "No requests yet.",
    contract: "Contract",
    fulfilments: labels!(Fulfilment {
        Creating => "being created",
        Sent => "sent for signature",
        Signed => "signed",
        Declined => "declined",
    }),
    your_orders: "Your orders",
    order_statuses: labels!(OrderStatus {
        Pending => "open",
        Success => "paid",
        Inprocess => "direct debit in progress",
        Error => "not paid",
        Requested => "requested",
    }),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_has_its_own_words_in_both_languages() {
        for lang in [Lang::De, Lang::En] {
            let t = lang.texts();
            let words: std::collections::HashSet<_> = OrderStatus::ALL.iter().map(|s| t.order_status(*s)).collect();
            assert_eq!(words.len(), OrderStatus::ALL.len(), "{lang:?}");
            assert!(!words.contains(""), "{lang:?}: an order status without words");
            let words: std::collections::HashSet<_> = Fulfilment::ALL.iter().map(|f| t.fulfilment(*f)).collect();
            assert_eq!(words.len(), Fulfilment::ALL.len(), "{lang:?}");
            assert!(!words.contains(""), "{lang:?}: a fulfilment without words");
        }
    }

    #[test]
    fn language_follows_user_language() {
        assert_eq!(Lang::from_user_language(Some("ENG")), Lang::En);
        assert_eq!(Lang::from_user_language(Some("DEU")), Lang::De);
        assert_eq!(Lang::from_user_language(None), Lang::De);
        assert_eq!(Lang::from_raw_query("a=1&UserLanguage=ENG"), Lang::En);
    }
}

mod back_office;
pub use back_office::BackOfficeTexts;
