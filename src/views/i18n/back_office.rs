//! The back office's own texts (sign-in, webhook history), apart from the storefront's.

use super::Lang;
use crate::contract::back_office::webhooks::DeliveryStatus;
use crate::contract::back_office::CallbackOutcome;

pub struct BackOfficeTexts {
    pub title: &'static str,
    pub sign_in: &'static str,
    pub sign_out: &'static str,
    /// Shown on the sign-in form when a stored sign-in was refused.
    pub signed_out: &'static str,
    pub wrong_token: &'static str,
    pub too_many: &'static str,
    pub not_set_up: &'static str,
    pub refresh: &'static str,
    /// The button that switches to the other language, in that language.
    pub other_language: &'static str,
    pub service: &'static str,
    pub retry_now: &'static str,
    pub retrying: &'static str,
    pub retried: &'static str,
    pub by: &'static str,
    pub history: &'static str,
    pub attempt: &'static str,
    pub round: &'static str,
    pub no_attempts: &'static str,
    pub overview: &'static str,
    pub today: &'static str,
    pub this_month: &'static str,
    pub revenue: &'static str,
    pub revenue_rule: &'static str,
    pub by_status: &'static str,
    pub chart_title: &'static str,
    pub search: &'static str,
    pub all_statuses: &'static str,
    pub filter: &'static str,
    pub clear: &'static str,
    pub no_match: &'static str,
    pub details: &'static str,
    /// The heading of a column of buttons, and the names of the two filters (screen readers).
    pub actions: &'static str,
    pub filter_orders: &'static str,
    pub filter_deliveries: &'static str,
    pub close: &'static str,
    pub origin: &'static str,
    pub property: &'static str,
    pub address: &'static str,
    pub group: &'static str,
    pub created: &'static str,
    pub callback: &'static str,
    pub status_change: &'static str,
    pub customers: &'static str,
    pub no_deliveries: &'static str,
    pub activated: &'static str,
    pub api_access: &'static str,
    pub api_works: &'static str,
    pub api_refused: &'static str,
    pub api_unused: &'static str,
    pub show_orders: &'static str,
    pub no_customers: &'static str,
    /// Words for each [`CallbackOutcome`], keyed by variant.
    pub callback_outcomes: [&'static str; 7],
    pub reported_title: &'static str,
    pub reported_body: &'static str,
    pub confirm_payment: &'static str,
    pub cancel_payment: &'static str,
    /// Words for each [`DeliveryStatus`], keyed by variant.
    pub delivery_statuses: [&'static str; 5],
}

impl BackOfficeTexts {
    pub fn callback_outcome(&self, o: CallbackOutcome) -> &'static str {
        self.callback_outcomes[o as usize]
    }

    pub fn delivery_status(&self, s: DeliveryStatus) -> &'static str {
        self.delivery_statuses[s as usize]
    }
}

/// The back office's texts in `lang`.
pub(super) fn texts(lang: Lang) -> &'static BackOfficeTexts {
    match lang {
        Lang::De => &DE,
        Lang::En => &EN,
    }
}

static DE: BackOfficeTexts = BackOfficeTexts {
    title: "Back Office",
    sign_in: "Anmelden",
    sign_out: "Abmelden",
    signed_out: "Ihre Anmeldung ist abgelaufen oder nicht mehr gültig. Bitte melden Sie sich erneut an.",
    wrong_token: "Dieses Admin-Token stimmt nicht.",
    too_many: "Zu viele falsche Versuche von dieser Adresse. Bitte warten Sie einige Minuten.",
    not_set_up: "Das Back Office ist nicht eingerichtet: setzen Sie MARKTSTAND_ADMIN_TOKEN auf dem Server.",
    refresh: "Aktualisieren",
    other_language: "English",
    service: "Dienst",
    retry_now: "Jetzt erneut versuchen",
    retrying: "Wird eingereiht …",
    retried: "Erneut eingereiht",
    by: "von",
    history: "Verlauf",
    attempt: "Versuch",
    round: "Runde",
    no_attempts: "Noch kein Versuch.",
    search: "Suche (Bestellnummer, Kundennummer oder Name)",
    all_statuses: "Alle",
    filter: "Filtern",
    clear: "Zurücksetzen",
    no_match: "Keine Bestellung passt zu diesem Filter.",
    details: "Details",
    actions: "Aktionen",
    filter_orders: "Bestellungen filtern",
    filter_deliveries: "Webhooks filtern",
    close: "Schließen",
    origin: "Herkunft",
    property: "Immobilie",
    address: "Adresse",
    group: "Gruppe",
    created: "Erstellt und für das Zahlungsfenster signiert",
    callback: "Zahlungsrückmeldung",
    status_change: "Status",
    customers: "Kunden",
    no_deliveries: "Keine Zustellung passt zu diesem Filter.",
    activated: "Aktiviert",
    api_access: "API-Zugang",
    api_works: "funktioniert",
    api_refused: "von onOffice abgelehnt",
    api_unused: "noch nicht genutzt",
    show_orders: "Bestellungen zeigen",
    no_customers: "Noch kein Kunde hat den Dienst aktiviert.",
    callback_outcomes: labels!(CallbackOutcome {
        Applied => "übernommen",
        Repeated => "wiederholt",
        Ignored => "ignoriert (vom Status aus nicht erlaubt)",
        Refused => "abgelehnt",
        Reported => "vom Browser gemeldet, nicht bestätigt",
        Confirmed => "vom Anbieter bestätigt",
        Cancelled => "vom Anbieter storniert",
    }),
    reported_title: "Zahlung vom Browser gemeldet, nicht bestätigt",
    reported_body: "Diese Rückmeldung kam ohne Signatur. Prüfen Sie die Transaktion in onOffice (Marketplace » Anbieterkonto » Transaktionsübersicht) und bestätigen oder stornieren Sie die Bestellung hier.",
    confirm_payment: "Zahlung bestätigen",
    cancel_payment: "Bestellung stornieren",
    overview: "Übersicht",
    today: "Heute",
    this_month: "Dieser Monat",
    revenue: "Umsatz",
    revenue_rule: "Umsatz zählt bezahlte Bestellungen und Anfragen, die Sie in Rechnung stellen; Bestellungen zählen alle aufgegebenen.",
    by_status: "Alle Bestellungen nach Status",
    chart_title: "Umsatz (Balken, nach Host) und Bestellungen (Punkte) der letzten 30 Tage",
    delivery_statuses: labels!(DeliveryStatus {
        Queued => "wartet",
        Working => "läuft",
        Retry => "wird wiederholt",
        Done => "erledigt",
        Failed => "fehlgeschlagen",
    }),
};

static EN: BackOfficeTexts = BackOfficeTexts {
    title: "Back office",
    sign_in: "Sign in",
    sign_out: "Sign out",
    signed_out: "Your sign-in has expired or is no longer valid. Please sign in again.",
    wrong_token: "This admin token is wrong.",
    too_many: "Too many wrong attempts from this address. Please wait a few minutes.",
    not_set_up: "The back office is not set up: set MARKTSTAND_ADMIN_TOKEN on the server.",
    refresh: "Refresh",
    other_language: "Deutsch",
    service: "Service",
    retry_now: "Retry now",
    retrying: "Queueing …",
    retried: "Queued again",
    by: "by",
    history: "History",
    attempt: "Attempt",
    round: "round",
    no_attempts: "No attempt yet.",
    search: "Search (order number, customer number or name)",
    all_statuses: "All",
    filter: "Filter",
    clear: "Clear",
    no_match: "No order matches this filter.",
    details: "Details",
    actions: "Actions",
    filter_orders: "Filter orders",
    filter_deliveries: "Filter webhooks",
    close: "Close",
    origin: "Origin",
    property: "Property",
    address: "Address",
    group: "Group",
    created: "Created and signed for the payment popup",
    callback: "Payment callback",
    status_change: "Status",
    customers: "Customers",
    no_deliveries: "No delivery matches this filter.",
    activated: "Activated",
    api_access: "API access",
    api_works: "works",
    api_refused: "refused by onOffice",
    api_unused: "not used yet",
    show_orders: "Show orders",
    no_customers: "No customer has activated the service yet.",
    callback_outcomes: labels!(CallbackOutcome {
        Applied => "applied",
        Repeated => "repeated",
        Ignored => "ignored (not allowed from its status)",
        Refused => "refused",
        Reported => "reported by the browser, not confirmed",
        Confirmed => "confirmed by the provider",
        Cancelled => "cancelled by the provider",
    }),
    reported_title: "Payment reported by the browser, not confirmed",
    reported_body: "This callback came without a signature. Check the transaction in onOffice (Marketplace » provider account » transaction overview), then confirm or cancel the order here.",
    confirm_payment: "Confirm payment",
    cancel_payment: "Cancel order",
    overview: "Overview",
    today: "Today",
    this_month: "This month",
    revenue: "Revenue",
    revenue_rule: "Revenue counts paid orders and requests you invoice; orders count everything placed.",
    by_status: "All orders by status",
    chart_title: "Revenue (bars, by host) and orders (dots) over the last 30 days",
    delivery_statuses: labels!(DeliveryStatus {
        Queued => "queued",
        Working => "working",
        Retry => "will retry",
        Done => "done",
        Failed => "failed",
    }),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::i18n::Localised;

    #[test]
    fn every_delivery_status_has_its_own_words_in_both_languages() {
        for lang in [Lang::De, Lang::En] {
            let t = lang.back_office();
            let words: std::collections::HashSet<_> =
                DeliveryStatus::ALL.iter().map(|s| t.delivery_status(*s)).collect();
            assert_eq!(words.len(), DeliveryStatus::ALL.len());
            assert!(!words.contains(""), "{lang:?}: a delivery status without words");
            let words: std::collections::HashSet<_> =
                CallbackOutcome::ALL.iter().map(|o| t.callback_outcome(*o)).collect();
            assert_eq!(words.len(), CallbackOutcome::ALL.len());
            assert!(!words.contains(""), "{lang:?}: a callback outcome without words");
        }
        assert_eq!(Lang::En.back_office().delivery_status(DeliveryStatus::Failed), "failed");
        assert_eq!(Lang::De.back_office().delivery_status(DeliveryStatus::Done), "erledigt");
    }
}
