//! The back office's overview: orders and revenue today, this month and per day for the
//! chart, in the browser's time zone, split by host. Summed here rather than in SQL, so the
//! same code runs on SQLite and PostgreSQL and is tested without a database.

use crate::contract::back_office::{Day, Overview, Totals, CHART_DAYS};
use crate::contract::errors::AppError;
use crate::contract::host::Host;
use crate::contract::orders::OrderStatus;
use crate::server::back_office::export::{date_of, offset_secs};
use crate::server::{clock::now, store, AppState};

const DAY: i64 = 86_400;

/// One stored order, as far as the overview needs it.
#[derive(Clone, Copy, Debug)]
pub struct Placed {
    pub created_at: i64,
    pub status: OrderStatus,
    pub host: Host,
    pub total_cents: i64,
}

/// Whether an order counts as sold: paid, or requested for the provider to invoice.
pub fn is_sale(status: OrderStatus) -> bool {
    matches!(status, OrderStatus::Success | OrderStatus::Requested)
}

/// The local day (days since 1970-01-01) of the first of `day`'s month.
fn month_start(day: i64) -> i64 {
    day - i64::from(date_of(day).day()) + 1
}

/// The first and the day after the last local day the overview covers, as Unix times.
pub fn window(now: i64, offset_secs: i64) -> (i64, i64) {
    let today = (now + offset_secs).div_euclid(DAY);
    let first = month_start(today).min(today - CHART_DAYS as i64 + 1);
    (first * DAY - offset_secs, (today + 1) * DAY - offset_secs)
}

/// Today, this month and the chart's days from the orders of [`window`].
pub fn summarise(placed: &[Placed], by_status: Vec<(OrderStatus, i64)>, now: i64, offset_secs: i64) -> Overview {
    let today = (now + offset_secs).div_euclid(DAY);
    let first_chart_day = today - CHART_DAYS as i64 + 1;
    let mut days: Vec<Day> = (first_chart_day..=today)
        .map(|d| {
            let date = date_of(d);
            let date = format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day());
            Day { date, by_host: Vec::new() }
        })
        .collect();
    let (mut today_totals, mut month) = (Totals::default(), Totals::default());
    let add = |totals: &mut Totals, o: &Placed| {
        totals.orders += 1;
        if is_sale(o.status) {
            totals.revenue_cents += o.total_cents;
        }
    };
    for o in placed {
        let day = (o.created_at + offset_secs).div_euclid(DAY);
        if day > today {
            continue;
        }
        if day == today {
            add(&mut today_totals, o);
        }
        if day >= month_start(today) {
            add(&mut month, o);
        }
        if day >= first_chart_day {
            let by_host = &mut days[(day - first_chart_day) as usize].by_host;
            let at = match by_host.iter().position(|(h, _)| *h == o.host) {
                Some(at) => at,
                None => {
                    by_host.push((o.host, Totals::default()));
                    by_host.len() - 1
                }
            };
            add(&mut by_host[at].1, o);
        }
    }
    for day in &mut days {
        day.by_host.sort_by_key(|(h, _)| Host::ALL.iter().position(|x| x == h));
    }
    Overview { today: today_totals, month, by_status, days }
}

/// The overview for a browser `offset_minutes` east of UTC.
pub async fn overview(state: &AppState, offset_minutes: i32) -> Result<Overview, AppError> {
    let offset_secs = offset_secs(offset_minutes)?;
    let at = now();
    let (start, end) = window(at, offset_secs);
    let rows = store::orders::placed_between(&state.db, start, end).await?;
    let placed: Vec<Placed> = rows
        .into_iter()
        .filter_map(|(created_at, status, host, total_cents)| {
            Some(Placed {
                created_at,
                status: OrderStatus::from_code(&status)?,
                host: Host::from_code(&host)?,
                total_cents,
            })
        })
        .collect();
    let counts = store::orders::count_by_status(&state.db).await?;
    let mut by_status: Vec<(OrderStatus, i64)> =
        counts.into_iter().filter_map(|(status, n)| Some((OrderStatus::from_code(&status)?, n))).collect();
    by_status.sort_by_key(|(s, _)| s.code());
    Ok(summarise(&placed, by_status, at, offset_secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-01 10:00 UTC, a Tuesday.
    const NOW: i64 = 1_796_119_200;

    fn placed(created_at: i64, status: OrderStatus, host: Host, total_cents: i64) -> Placed {
        Placed { created_at, status, host, total_cents }
    }

    #[test]
    fn today_month_and_days_count_orders_and_sum_only_sales() {
        let orders = [
            placed(NOW - 60, OrderStatus::Success, Host::OnOffice, 4900),
            placed(NOW - 120, OrderStatus::Pending, Host::OnOffice, 9900),
            placed(NOW - 180, OrderStatus::Requested, Host::Kolibri24, 2500),
            // Yesterday, 30 November: last month, but in the chart.
            placed(NOW - DAY, OrderStatus::Success, Host::OnOffice, 1000),
            // 31 days ago: neither.
            placed(NOW - 31 * DAY, OrderStatus::Success, Host::OnOffice, 7),
        ];
        let o = summarise(&orders, vec![], NOW, 0);
        assert_eq!(o.today, Totals { orders: 3, revenue_cents: 7400 });
        assert_eq!(o.month, o.today, "1 December: the month is today");
        assert_eq!(o.days.len(), CHART_DAYS);
        assert_eq!((o.days[0].date.as_str(), o.days[29].date.as_str()), ("2026-11-02", "2026-12-01"));
        let today = &o.days[29];
        assert_eq!(
            today.by_host,
            [
                (Host::OnOffice, Totals { orders: 2, revenue_cents: 4900 }),
                (Host::Kolibri24, Totals { orders: 1, revenue_cents: 2500 })
            ]
        );
        assert_eq!(today.total(), o.today);
        assert_eq!(o.days[28].total(), Totals { orders: 1, revenue_cents: 1000 });
        assert_eq!(o.days.iter().map(|d| d.total().orders).sum::<i64>(), 4);
    }

    #[test]
    fn days_are_the_browsers_days() {
        // 23:30 UTC on 30 November is already 1 December in Berlin (UTC+1), not in New York.
        let late = NOW - 10 * 3600 - 30 * 60;
        let orders = [placed(late, OrderStatus::Success, Host::OnOffice, 100)];
        let berlin = summarise(&orders, vec![], NOW, 3600);
        assert_eq!((berlin.today.orders, berlin.month.orders), (1, 1));
        let new_york = summarise(&orders, vec![], NOW, -5 * 3600);
        assert_eq!((new_york.today.orders, new_york.month.orders), (0, 0));
        assert_eq!(new_york.days[28].date, "2026-11-30");
        assert_eq!(new_york.days[28].total().orders, 1);
    }

    #[test]
    fn the_window_reaches_back_to_the_month_or_the_chart_whichever_is_earlier() {
        // 1 December: the chart (from 2 November) reaches further back than the month.
        assert_eq!(window(NOW, 0), (NOW - 10 * 3600 - 29 * DAY, NOW - 10 * 3600 + DAY));
        // 31 December: the month (from 1 December) reaches further back than the chart.
        let end_of_month = NOW + 30 * DAY;
        assert_eq!(window(end_of_month, 0).0, NOW - 10 * 3600);
    }
}
