//! The demo office's year as a script: the units the first group visits, when, what it finds
//! and what becomes of each; the units that miss a quarter's self-report.

/// What became of an inspection after the visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Aftermath {
    /// nothing was found; the unit signed a clean record
    Clean,
    /// submitted; the office has not reviewed it yet
    AwaitingReview,
    /// confirmed and a notice issued; its period is still running
    NoticeOpen,
    /// the unit reported its rectification and the office accepted it
    Rectified,
    /// the unit appealed, the office rejected the appeal, the unit then rectified
    AppealRejected,
    /// the unit appealed with evidence and the office upheld it: notice withdrawn, points restored
    AppealUpheld,
    /// the rectification period ended without a report
    Overdue,
    /// the unit reported; the office has not checked the report yet
    ReportWaiting,
    /// the unit appealed; the office has not decided yet
    AppealWaiting,
}

/// When an inspection took place: a share of the year so far, or working days before today.
#[derive(Debug, Clone, Copy)]
pub(super) enum When {
    Share(f32),
    DaysAgo(u32),
}

/// One open inspection of the first group: the unit, when, what was found (catalog code, what
/// the supervisor wrote, where), and what became of it.
pub(super) struct Visit {
    pub(super) unit: &'static str,
    pub(super) when: When,
    pub(super) found: &'static [(&'static str, &'static str, &'static str)],
    pub(super) then: Aftermath,
}

pub(super) const VISITS: &[Visit] = &[
    Visit {
        unit: "u002",
        when: When::Share(0.12),
        found: &[(
            "D10",
            "综合窗口一名工作人员上班时间长时间使用手机浏览视频，两名群众在窗口前等候约十分钟无人接待。",
            "一楼综合受理窗口",
        )],
        then: Aftermath::Rectified,
    },
    Visit {
        unit: "u030",
        when: When::Share(0.2),
        found: &[],
        then: Aftermath::Clean,
    },
    Visit {
        unit: "u013",
        when: When::Share(0.28),
        found: &[(
            "D15",
            "群众咨询非税收入缴款事项，窗口人员以“不归我们管”为由拒绝解答，未告知承办科室。",
            "二楼财务服务窗口",
        )],
        then: Aftermath::AppealRejected,
    },
    Visit {
        unit: "u016",
        when: When::Share(0.36),
        found: &[("D06", "门厅未见效能提示牌，服务指南架空置。", "一楼门厅")],
        then: Aftermath::AppealUpheld,
    },
    Visit {
        unit: "u021",
        when: When::Share(0.45),
        found: &[(
            "D14",
            "两个科室就学籍转接事项相互推诿，办事群众往返三次未获办理。",
            "三楼学生资助窗口",
        )],
        then: Aftermath::Overdue,
    },
    Visit {
        unit: "u017",
        when: When::Share(0.55),
        found: &[],
        then: Aftermath::Clean,
    },
    Visit {
        unit: "u024",
        when: When::DaysAgo(16),
        found: &[
            (
                "D07",
                "服务大厅未公示效能投诉电话，工作人员不清楚投诉渠道。",
                "社保服务大厅",
            ),
            (
                "D10",
                "上午九点二十分，4号窗口无人在岗，未放置去向牌。",
                "社保服务大厅4号窗口",
            ),
        ],
        then: Aftermath::ReportWaiting,
    },
    Visit {
        unit: "u025",
        when: When::DaysAgo(7),
        found: &[(
            "D10",
            "预约挂号咨询台工作人员离岗二十分钟，未安排B岗顶岗。",
            "门诊服务中心咨询台",
        )],
        then: Aftermath::AppealWaiting,
    },
    Visit {
        unit: "u001",
        when: When::DaysAgo(5),
        found: &[(
            "D06",
            "大厅效能提示牌被宣传展板遮挡，办事群众无法看到。",
            "政务服务大厅入口",
        )],
        then: Aftermath::NoticeOpen,
    },
    Visit {
        unit: "u020",
        when: When::DaysAgo(1),
        found: &[(
            "D10",
            "统计咨询窗口工作人员未佩戴工作牌，未按要求亮明身份。",
            "一楼统计咨询窗口",
        )],
        then: Aftermath::AwaitingReview,
    },
];

/// Units that missed one quarter's self-report, and which (INS-04).
pub(super) const MISSED: [(&str, u32); 4] = [("u005", 1), ("u019", 2), ("u028", 2), ("u036", 3)];
