//! INS-15: the default deduction catalog every new assessment year starts from, as RULES.md gives
//! it (items D01–D20, S01, X01, X02), with the rule that prices each item.

use rust_decimal::Decimal;

/// Which kinds of inspection an item may be used in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kinds {
    pub open: bool,
    pub covert: bool,
    pub system: bool,
}

const OPEN: Kinds = Kinds {
    open: true,
    covert: false,
    system: false,
};
const BOTH: Kinds = Kinds {
    open: true,
    covert: true,
    system: false,
};
const SYSTEM: Kinds = Kinds {
    open: false,
    covert: false,
    system: true,
};

/// One entry of the default catalog.
#[derive(Debug, Clone, Copy)]
pub struct DefaultItem {
    pub code: &'static str,
    pub title: &'static str,
    pub kinds: Kinds,
    /// Points taken, as (min, max) in whole points; equal for a fixed item.
    pub points: (i64, i64),
    pub rule_id: &'static str,
    /// INS-08: a confirmed finding costs the unit its excellence eligibility for the year.
    pub costs_excellence: bool,
}

const fn item(
    code: &'static str,
    title: &'static str,
    kinds: Kinds,
    rule_id: &'static str,
) -> DefaultItem {
    DefaultItem {
        code,
        title,
        kinds,
        points: (1, 1),
        rule_id,
        costs_excellence: false,
    }
}

/// INS-15 (annex of the inspection regulation), INS-04 (S01), INS-08 (X01), INS-10 (X02).
pub const DEFAULT_CATALOG: [DefaultItem; 23] = [
    item("D01", "未成立效能考评工作领导小组", OPEN, "INS-05"),
    item("D02", "未明确效能考评工作办事机构", OPEN, "INS-05"),
    item("D03", "未报送效能工作分管领导和联络员", OPEN, "INS-05"),
    item(
        "D04",
        "未召开党组(党委)会议研究效能考评工作",
        OPEN,
        "INS-05",
    ),
    item(
        "D05",
        "未组织干部职工传达学习《考评办法》并对效能考评做出部署安排",
        OPEN,
        "INS-05",
    ),
    item("D06", "未在门厅等显眼位置设置效能提示牌", OPEN, "INS-05"),
    item("D07", "未向服务对象宣传效能投诉方式", OPEN, "INS-05"),
    item("D08", "未建立单位内部效能定期检查考评机制", OPEN, "INS-05"),
    item("D09", "未梳理完善效能工作相关制度", OPEN, "INS-05"),
    item("D10", "工作人员执行效能工作制度存在问题", BOTH, "INS-07"),
    item(
        "D11",
        "未采取有效措施精文减会并完成相关目标任务",
        OPEN,
        "INS-05",
    ),
    item(
        "D12",
        "未采取有效措施整治检查多、考核多突出问题",
        OPEN,
        "INS-05",
    ),
    item(
        "D13",
        "未采取措施整治留痕多、材料多突出问题",
        OPEN,
        "INS-05",
    ),
    item("D14", "工作中发现推诿扯皮、不愿担责问题", BOTH, "INS-07"),
    item("D15", "服务企业、群众存在\"冷硬横推\"问题", BOTH, "INS-07"),
    item(
        "D16",
        "落实中央决策部署和上级要求存在表态多、调门高、行动少、落实差问题",
        OPEN,
        "INS-05",
    ),
    item(
        "D17",
        "党组(党委)落实机关党建工作责任不到位",
        OPEN,
        "INS-05",
    ),
    item(
        "D18",
        "专职党务干部配备不到位,存在应配未配现象",
        OPEN,
        "INS-05",
    ),
    item(
        "D19",
        "党员领导干部参加所在党支部或党小组组织生活制度落实不到位",
        OPEN,
        "INS-05",
    ),
    item(
        "D20",
        "支部工作不规范,在组织设置、党员管理、工作机制、组织生活、支委会建设等方面存在问题",
        OPEN,
        "INS-05",
    ),
    DefaultItem {
        code: "S01",
        title: "未按季报送自查报告",
        kinds: SYSTEM,
        points: (3, 3),
        rule_id: "INS-04",
        costs_excellence: false,
    },
    DefaultItem {
        code: "X01",
        title: "阻拦、迟滞检查或通风报信",
        kinds: BOTH,
        points: (1, 5),
        rule_id: "INS-08",
        costs_excellence: true,
    },
    DefaultItem {
        code: "X02",
        title: "拒不配合检查或拒绝签字",
        kinds: BOTH,
        points: (1, 1),
        rule_id: "INS-10",
        costs_excellence: false,
    },
];

impl DefaultItem {
    pub fn points_min(&self) -> Decimal {
        Decimal::from(self.points.0)
    }

    pub fn points_max(&self) -> Decimal {
        Decimal::from(self.points.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ins_15_the_default_catalog_has_the_twenty_items_and_the_system_items() {
        let codes: Vec<&str> = DEFAULT_CATALOG.iter().map(|i| i.code).collect();
        for n in 1..=20 {
            assert!(
                codes.contains(&format!("D{n:02}").as_str()),
                "D{n:02} missing"
            );
        }
        assert!(codes.contains(&"S01") && codes.contains(&"X01") && codes.contains(&"X02"));
        let s01 = DEFAULT_CATALOG
            .iter()
            .find(|i| i.code == "S01")
            .map(|i| i.points);
        assert_eq!(
            s01,
            Some((3, 3)),
            "INS-04: a missed self-report costs 3 points"
        );
        let x01 = DEFAULT_CATALOG.iter().find(|i| i.code == "X01");
        assert!(
            x01.is_some_and(|i| i.points == (1, 5) && i.costs_excellence),
            "INS-08"
        );
    }

    fn item(code: &str) -> DefaultItem {
        DEFAULT_CATALOG
            .iter()
            .find(|i| i.code == code)
            .copied()
            .unwrap_or(DEFAULT_CATALOG[0])
    }

    #[test]
    fn ins_05_each_missing_or_unsupported_open_inspection_item_costs_one_point() {
        for code in ["D01", "D05", "D09", "D13", "D20"] {
            let i = item(code);
            assert_eq!((i.code, i.points, i.rule_id), (code, (1, 1), "INS-05"));
            assert!(i.kinds.open && !i.kinds.system);
        }
    }

    #[test]
    fn ins_07_covert_findings_cost_one_point_each() {
        for code in ["D10", "D14", "D15"] {
            let i = item(code);
            assert_eq!((i.code, i.points), (code, (1, 1)));
            assert!(i.kinds.covert && i.kinds.open, "usable in both kinds");
        }
    }

    #[test]
    fn ins_08_obstruction_is_discretionary_and_costs_excellence_eligibility() {
        let x01 = item("X01");
        assert_eq!(
            (x01.code, x01.points, x01.rule_id),
            ("X01", (1, 5), "INS-08")
        );
        assert!(x01.costs_excellence && x01.kinds.open && x01.kinds.covert);
        assert!(
            DEFAULT_CATALOG
                .iter()
                .filter(|i| i.costs_excellence)
                .count()
                == 1
        );
    }

    #[test]
    fn ins_10_refusing_to_cooperate_or_sign_is_a_one_point_violation() {
        let x02 = item("X02");
        assert_eq!(
            (x02.code, x02.points, x02.rule_id),
            ("X02", (1, 1), "INS-10")
        );
        assert!(!x02.costs_excellence);
    }
}
