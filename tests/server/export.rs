//! The accounting export over HTTP: whole days in the provider's time zone, German and
//! English spreadsheet conventions, names that cannot smuggle in a formula, clear refusals.

use crate::common::*;

async fn export(server: &TestServer, form: &[(&str, &str)]) -> reqwest::Response {
    reqwest::Client::new().post(format!("{}/admin/orders.csv", server.base)).form(form).send().await.unwrap()
}

async fn order_at(server: &TestServer, params: &str, created_at: i64) -> String {
    let token = launch_token(server, params).await;
    let request = products(serde_json::json!([{"product_id": "expose-text", "quantity": 2, "circle": null}]));
    let placed = decode::<marktstand::contract::orders::PlacedOrder>(
        order(server, &token, request, &format!("k{created_at}")).await,
    )
    .await;
    let id = placed["order_id"].as_str().unwrap().to_string();
    sqlx::query("UPDATE orders SET created_at = $1 WHERE id = $2")
        .bind(created_at)
        .bind(&id)
        .execute(&server.state.db)
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn orders_of_a_range_in_local_days_as_german_and_english_csv() {
    let server = start().await;
    // 2026-11-30 23:30 UTC is already 1 December in Berlin (UTC+1).
    let december =
        order_at(&server, &PARAMS.replace("Musterfirma%20Immobilien", "%3DM%C3%BCller%3B%20S%C3%B6hne"), 1_796_081_400)
            .await;
    let november = order_at(&server, PARAMS, 1_795_255_200).await; // 2026-11-21 10:00 UTC

    let res = export(
        &server,
        &[("token", ADMIN_TOKEN), ("from", "2026-12-01"), ("to", "2026-12-31"), ("offset", "60"), ("lang", "de")],
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(res.headers()["content-disposition"], "attachment; filename=\"orders-2026-12-01-2026-12-31.csv\"");
    let body = res.text().await.unwrap();
    let lines: Vec<&str> =
        body.strip_prefix('\u{feff}').expect("a byte-order mark for spreadsheets").split("\r\n").collect();
    assert_eq!(
        lines[0],
        "Bestellung;Erstellt;Host;Kunde;Kundenname;Benutzer;Produkte;Betrag;Währung;Status;Transaktion"
    );
    assert_eq!(lines.len(), 3, "one order and the final line end: {body}");
    let cells: Vec<&str> = lines[1].split(';').collect();
    assert_eq!(cells[0], december);
    assert_eq!(cells[1], "2026-12-01T00:30:00+01:00");
    assert_eq!(cells[2], "onoffice");
    // The name starts a formula and holds the separator: quoted, and defused with a quote mark.
    assert_eq!(cells[4..6].join(";"), "\"'=Müller; Söhne\"");
    assert_eq!(cells[8], "59,80", "two at 29.90 € with a decimal comma");
    assert_eq!(cells[9], "EUR");
    assert_eq!(cells[10], "pending");

    let res =
        export(&server, &[("token", ADMIN_TOKEN), ("from", "2026-11-01"), ("to", "2026-11-30"), ("lang", "en")]).await;
    let body = res.text().await.unwrap();
    let lines: Vec<&str> = body.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines[0], "order,created,host,customer,customer name,user,products,amount,currency,status,transaction");
    // In UTC both fall in November, oldest first.
    assert_eq!(lines.len(), 3, "{body}");
    assert!(
        lines[1].starts_with(&format!("{november},2026-11-21T10:00:00+00:00,onoffice,4711,Musterfirma Immobilien,17,"))
    );
    assert!(lines[1].ends_with(",59.80,EUR,pending,"), "{}", lines[1]);
    assert!(lines[2].starts_with(&format!("{december},2026-11-30T23:30:00+00:00,")));

    let empty = export(&server, &[("token", ADMIN_TOKEN), ("from", "2025-01-01"), ("to", "2025-01-31")]).await;
    assert_eq!(empty.text().await.unwrap().trim_start_matches('\u{feff}').lines().count(), 1, "the header row alone");
}

#[tokio::test]
async fn refusals_say_what_to_fix() {
    let server = start().await;
    let wrong = export(&server, &[("token", "guess"), ("from", "2026-11-01"), ("to", "2026-11-30")]).await;
    assert_eq!(wrong.status(), 401);
    for (from, to, needle) in [
        ("1.11.2026", "2026-11-30", "`from` must be a date like"),
        ("2026-11-01", "2026-02-30", "`to` must be a date"),
        ("2026-12-01", "2026-11-30", "starts (2026-12-01) after it ends"),
    ] {
        let res = export(&server, &[("token", ADMIN_TOKEN), ("from", from), ("to", to)]).await;
        assert_eq!(res.status(), 400);
        let body = res.text().await.unwrap();
        assert!(body.contains(needle), "{body}");
    }
    let missing = export(&server, &[("token", ADMIN_TOKEN), ("from", "2026-11-01")]).await;
    assert_eq!(missing.status().as_u16() / 100, 4, "a missing date is the client's to fix");
}
