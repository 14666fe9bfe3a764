//! Charts as the page draws them (pure): horizontal bars that keep their proportions at any
//! width, each with its label above and its value beside it, scaled to the largest value.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// The drawing's width in its own units; the page scales it to the screen.
pub const WIDTH: f64 = 320.0;
/// The room a bar leaves on its right for the value.
const VALUE_ROOM: f64 = 48.0;
/// One row: the label line and the bar below it.
const ROW: f64 = 30.0;

/// One bar, placed.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: String,
    /// the baseline of the label's text
    pub label_y: f64,
    /// the top of the bar
    pub bar_y: f64,
    pub width: f64,
}

impl Bar {
    /// Where the value's text starts: just after the bar.
    pub fn value_x(&self) -> f64 {
        self.width + 4.0
    }
}

/// A bar chart: its title, its bars, and the drawing's height.
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    pub title: String,
    pub bars: Vec<Bar>,
    pub height: f64,
}

impl BarChart {
    /// Bars for `rows` (label, value), in their order, scaled so that the largest value fills the
    /// width less the room for its number. A chart of no rows has no bars.
    pub fn new(title: &str, rows: &[(String, Decimal)]) -> Self {
        let largest = rows
            .iter()
            .map(|r| r.1)
            .max()
            .filter(|m| *m > Decimal::ZERO)
            .unwrap_or(Decimal::ONE);
        let room = WIDTH - VALUE_ROOM;
        let bars = rows
            .iter()
            .enumerate()
            .map(|(k, (label, value))| {
                let share = (*value / largest).to_f64().unwrap_or(0.0).clamp(0.0, 1.0);
                let top = k as f64 * ROW;
                Bar {
                    label: label.clone(),
                    value: value.normalize().to_string(),
                    label_y: top + 11.0,
                    bar_y: top + 15.0,
                    // a value above zero stays visible
                    width: if *value > Decimal::ZERO {
                        (share * room).max(1.5)
                    } else {
                        0.0
                    },
                }
            })
            .collect::<Vec<_>>();
        Self {
            title: title.into(),
            height: (bars.len() as f64 * ROW).max(ROW),
            bars,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.bars.is_empty()
    }

    pub fn width(&self) -> f64 {
        WIDTH
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(values: &[i64]) -> Vec<(String, Decimal)> {
        values
            .iter()
            .enumerate()
            .map(|(k, v)| (format!("第{k}项"), Decimal::from(*v)))
            .collect()
    }

    #[test]
    fn the_largest_bar_fills_the_room_and_the_others_keep_their_proportion() {
        let chart = BarChart::new("扣分", &rows(&[6, 3, 0]));
        assert_eq!(chart.bars[0].width, WIDTH - VALUE_ROOM);
        assert_eq!(chart.bars[1].width, (WIDTH - VALUE_ROOM) / 2.0);
        assert_eq!(chart.bars[2].width, 0.0);
        assert!(chart.bars.iter().all(|b| b.value_x() + 30.0 <= WIDTH));
        assert_eq!(chart.height, 90.0);
    }

    #[test]
    fn rows_stack_downward_and_a_tiny_value_still_shows() {
        let chart = BarChart::new("扣分", &rows(&[1000, 1]));
        assert!(chart.bars[1].bar_y > chart.bars[0].bar_y + 20.0);
        assert!(chart.bars[1].width >= 1.5);
        assert_eq!(chart.bars[1].value, "1");
    }

    #[test]
    fn a_chart_of_nothing_draws_nothing() {
        let chart = BarChart::new("扣分", &[]);
        assert!(chart.is_empty());
    }
}
