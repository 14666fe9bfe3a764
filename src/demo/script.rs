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

/// How a demo complaint comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Intake {
    /// on the public form
    Online,
    /// logged by office staff from this channel
    Logged(&'static str),
}

/// What became of a demo complaint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fate {
    /// still waiting for the office
    Waiting,
    /// assigned, not yet signed for
    Assigned,
    /// assigned and signed for by the unit
    Signed,
    /// signed for, then urged by the office
    Urged,
    /// returned by the unit as outside its remit and transferred to another (its code)
    Transferred(&'static str),
    /// not accepted: already in progress
    Refused,
    /// a suggestion passed to the unit, which acknowledged it
    Suggestion,
}

/// One complaint of the demo year: when, how, about which unit, what, the relation (CMP-05), and
/// what became of it.
pub(super) struct DemoComplaint {
    pub(super) when: When,
    pub(super) intake: Intake,
    pub(super) unit: &'static str,
    pub(super) category: &'static str,
    pub(super) matter: &'static str,
    pub(super) reasons: &'static str,
    pub(super) relation: &'static str,
    pub(super) then: Fate,
}

pub(super) const COMPLAINTS: &[DemoComplaint] = &[
    DemoComplaint {
        when: When::Share(0.35),
        intake: Intake::Logged("hotline_12345"),
        unit: "u024",
        category: "delay",
        matter: "社保关系转移办理超过承诺时限",
        reasons: "5月6日在窗口提交社保关系转移申请，承诺10个工作日办结，至今一个多月仍未办结，多次电话询问均答复在走流程。",
        relation: "recipient",
        then: Fate::Signed,
    },
    DemoComplaint {
        when: When::Share(0.52),
        intake: Intake::Online,
        unit: "u034",
        category: "attitude",
        matter: "窗口工作人员态度生硬，拒绝解答咨询",
        reasons: "7月上旬到城管局窗口咨询占道经营审批，工作人员玩手机，称“自己去网上看”，拒绝解答。",
        relation: "recipient",
        then: Fate::Urged,
    },
    DemoComplaint {
        when: When::Share(0.6),
        intake: Intake::Logged("complaint_hotline"),
        unit: "u019",
        category: "shirking",
        matter: "河道清淤问题被多个部门相互推诿",
        reasons: "反映小区旁河道淤积，水利局称归城管，城管称归住建，问题拖了两个月没人管。",
        relation: "interested",
        then: Fate::Transferred("u034"),
    },
    DemoComplaint {
        when: When::Share(0.62),
        intake: Intake::Logged("hotline_12345"),
        unit: "u024",
        category: "delay",
        matter: "社保关系转移办理超过承诺时限，再次反映",
        reasons: "此前已反映过社保关系转移超时，仍未办结，再次投诉。",
        relation: "recipient",
        then: Fate::Refused,
    },
    DemoComplaint {
        when: When::Share(0.7),
        intake: Intake::Logged("complaint_hotline"),
        unit: "u001",
        category: "other",
        matter: "建议政务服务大厅延长午间办理时间",
        reasons: "上班族只能午休时间办事，建议中午安排轮岗窗口。",
        relation: "anonymous",
        then: Fate::Suggestion,
    },
    DemoComplaint {
        when: When::DaysAgo(3),
        intake: Intake::Online,
        unit: "u030",
        category: "notification",
        matter: "户口迁移材料未一次性告知，来回跑了三趟",
        reasons: "办理户口迁移，每次去都说缺一样材料，前后跑了三趟，没有一次性告知需要的全部材料。",
        relation: "recipient",
        then: Fate::Assigned,
    },
    DemoComplaint {
        when: When::DaysAgo(1),
        intake: Intake::Online,
        unit: "u030",
        category: "notification",
        matter: "户口迁移材料未一次性告知，跑了多趟",
        reasons: "户口迁移材料每次只告知一部分，已经跑了多趟。",
        relation: "recipient",
        then: Fate::Waiting,
    },
];
