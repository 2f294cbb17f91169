//! The back office's overview: today and this month, every order by status, and a chart of
//! the last 30 days drawn as SVG by the view itself (no charting bundle).

use crate::contract::back_office::{Day, Overview, Totals};
use crate::contract::catalogue::format_price;
use crate::contract::host::Host;
use crate::contract::lang::Lang;
use crate::views::i18n::Localised;
use leptos::prelude::*;

/// Figures first (what a provider asks most), then the statuses, then the chart.
#[component]
pub fn SalesOverview(overview: Overview, lang: Lang) -> impl IntoView {
    let (t, b) = (lang.texts(), lang.back_office());
    let figure = move |id: &'static str, label: &'static str, totals: Totals| {
        view! {
            <div class="figure" id=id data-orders=totals.orders data-revenue=totals.revenue_cents>
                <h3>{label}</h3>
                <p class="revenue">{format_price(totals.revenue_cents, lang)}</p>
                <p class="count">{totals.orders}" "{t.orders}</p>
            </div>
        }
    };
    let statuses = overview
        .by_status
        .iter()
        .map(|(status, n)| view! { <li data-status=status.code()>{t.order_status(*status)}": "<strong>{*n}</strong></li> })
        .collect_view();
    view! {
        <section id="overview" aria-labelledby="overview-title">
            <h2 id="overview-title">{b.overview}</h2>
            <div class="figures">
                {figure("today", b.today, overview.today)}
                {figure("this-month", b.this_month, overview.month)}
            </div>
            <p class="note">{b.revenue_rule}</p>
            <h3>{b.by_status}</h3>
            <ul class="by-status">{statuses}</ul>
            <SalesChart days=overview.days lang/>
        </section>
    }
}

const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 160.0;
/// Room below the bars for the first and last date.
const AXIS: f64 = 18.0;

fn host_name(host: Host) -> &'static str {
    match host {
        Host::OnOffice => "onOffice",
        Host::Kolibri24 => "Kolibri24",
        Host::Oneflow => "Oneflow",
    }
}

/// Revenue per day as bars stacked by host, orders per day as dots on their own scale; each
/// day's figures are in its tooltip and its data attributes.
#[component]
fn SalesChart(days: Vec<Day>, lang: Lang) -> impl IntoView {
    let (t, b) = (lang.texts(), lang.back_office());
    let max_revenue = days.iter().map(|d| d.total().revenue_cents).max().unwrap_or(0).max(1) as f64;
    let max_orders = days.iter().map(|d| d.total().orders).max().unwrap_or(0).max(1) as f64;
    let slot = WIDTH / days.len().max(1) as f64;
    let plot = HEIGHT - AXIS;
    let mut hosts: Vec<Host> = days.iter().flat_map(|d| d.by_host.iter().map(|(h, _)| *h)).collect();
    hosts.sort_by_key(|h| Host::ALL.iter().position(|x| x == h));
    hosts.dedup();
    let top_label = (max_revenue > 1.0).then(|| format_price(max_revenue as i64, lang));
    let (first, last) = (days.first().map(|d| d.date.clone()), days.last().map(|d| d.date.clone()));
    let bars = days
        .into_iter()
        .enumerate()
        .map(|(i, day)| {
            let total = day.total();
            let x = i as f64 * slot;
            let mut top = plot;
            let stack = day
                .by_host
                .iter()
                .filter(|(_, totals)| totals.revenue_cents > 0)
                .map(|(host, totals)| {
                    let h = totals.revenue_cents as f64 / max_revenue * (plot - 8.0);
                    top -= h;
                    view! { <rect class=format!("bar host-{}", host.code()) x=x + 2.0 y=top width=slot - 4.0 height=h/> }
                })
                .collect_view();
            let dot = (total.orders > 0).then(|| {
                let y = plot - total.orders as f64 / max_orders * (plot - 8.0);
                view! { <circle class="orders" cx=x + slot / 2.0 cy=y r="3"/> }
            });
            let tip = format!("{}: {}, {} {}", day.date, format_price(total.revenue_cents, lang), total.orders, t.orders);
            view! {
                <g class="day" data-date=day.date data-orders=total.orders data-revenue=total.revenue_cents>
                    <title>{tip}</title>
                    <rect class="slot" x=x y="0" width=slot height=plot/>
                    {stack}
                    {dot}
                </g>
            }
        })
        .collect_view();
    let legend = hosts
        .into_iter()
        .map(|h| view! { <li><span class=format!("swatch host-{}", h.code())></span>{host_name(h)}</li> })
        .collect_view();
    view! {
        <figure class="chart">
            <figcaption>{b.chart_title}</figcaption>
            <svg id="sales-chart" viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=b.chart_title>
                <line class="axis" x1="0" y1=plot x2=WIDTH y2=plot/>
                {bars}
                // The scale: the best day's revenue is the full height.
                <text class="label" x="2" y="10">{top_label}</text>
                <text class="label" x="0" y=HEIGHT - 4.0>{first}</text>
                <text class="label end" x=WIDTH y=HEIGHT - 4.0>{last}</text>
            </svg>
            <ul class="legend">{legend}<li><span class="swatch orders"></span>{t.orders}</li></ul>
        </figure>
    }
}
