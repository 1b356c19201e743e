//! Carotid demo cases, one per SRU grade that matters in the network (< 50 %, 50–69 %,
//! ≥ 70 %, near-occlusion) and an IMT case that was retired for measuring at the wrong place.
use super::{
    DemoCase, Post, Step, arrow, blank, clip, guess_grade, label, outcome, point, ring, say, tags,
};
use model::cases::{CaseContent, FollowUpKind};
use model::scores::{
    CarotidFinding, Finding, Plaque, PlaqueEcho, PlaqueSurface, Side, StenosisGrade,
};
use model::{AgeBand, Difficulty, Sex};

/// Velocities in cm/s: ICA peak systolic, ICA end-diastolic, CCA peak systolic.
type Velocities = (f64, f64, f64);

/// One carotid as measured.
fn carotid(
    side: Side,
    imt_mm: Option<f64>,
    plaque: Option<Plaque>,
    v: Velocities,
) -> CarotidFinding {
    CarotidFinding {
        side,
        imt_mm,
        plaque,
        ica_psv: Some(v.0),
        ica_edv: Some(v.1),
        cca_psv: Some(v.2),
        near_occlusion: false,
        occluded: false,
    }
}

fn plaque(
    thickness_mm: f64,
    length_mm: Option<f64>,
    echo: PlaqueEcho,
    surface: PlaqueSurface,
    calcified: bool,
    diameter_reduction_pct: f64,
) -> Option<Plaque> {
    Some(Plaque {
        thickness_mm,
        length_mm,
        echo,
        surface,
        calcified,
        diameter_reduction_pct: Some(diameter_reduction_pct),
    })
}

pub(super) fn cases() -> Vec<DemoCase> {
    vec![
        soft_plaque(),
        moderate_stenosis(),
        severe_stenosis(),
        near_occlusion(),
        imt_thickening(),
    ]
}

/// < 50 % with a lipid-rich plaque: no outcome yet, and a learner's open question.
fn soft_plaque() -> DemoCase {
    let content = CaseContent {
        title: "Soft hypoechoic plaque in the left ICA, <50% stenosis".into(),
        age_band: AgeBand::A50,
        sex: Sex::Male,
        history: "Man in his fifties with hypertension, type 2 diabetes and 30 pack-years of smoking, \
            scanned at Chengnan community centre in the district's stroke-risk screening programme. No \
            neurological symptoms."
            .into(),
        findings: "Left carotid bulb extending into the proximal ICA: a homogeneous hypoechoic plaque on the \
            far wall, 2.6 mm thick and 11 mm long, smooth surface, no calcification; gray-scale diameter \
            reduction about 30 %. Left ICA PSV 95 cm/s, EDV 25 cm/s; left CCA PSV 80 cm/s (ICA/CCA ratio \
            1.2).\n\nRight side: IMT 0.9 mm, no plaque; ICA PSV 70 cm/s, EDV 20 cm/s; CCA PSV 75 cm/s. \
            Vertebral arteries antegrade on both sides."
            .into(),
        impression: "Left ICA stenosis <50 % (SRU: PSV < 125 cm/s with visible plaque; ratio and EDV \
            concordant), caused by a soft hypoechoic plaque. Right carotid normal. Intensify risk-factor \
            control; repeat duplex in 12 months."
            .into(),
        diagnosis: "Left ICA atherosclerotic plaque, <50% stenosis".into(),
        differential: "- **Fresh intraluminal thrombus**: anechoic to hypoechoic, may be mobile, usually \
            with recent symptoms.\n\
            - **Dissection**: a thin mobile flap with two lumens, often in a younger patient after neck trauma."
            .into(),
        teaching_points: "- Grade by **velocity**, not by how big the plaque looks: ICA PSV **< 125 cm/s** \
            with visible plaque is **< 50 %** (SRU 2003).\n\
            - Check the **ratio** and **EDV** too: here 1.2 and 25 cm/s, both concordant with < 50 %.\n\
            - A **hypoechoic (soft) plaque** is easily missed in B-mode: lower the gain and use colour \
            Doppler to outline the lumen.\n\
            - Always describe **echogenicity, surface and thickness**: a hypoechoic, ulcerated or thick \
            plaque carries more stroke risk than its grade suggests."
            .into(),
        difficulty: Difficulty::Basic,
        tags: tags(&[
            "颈动脉斑块",
            "carotid plaque",
            "低回声斑块",
            "soft plaque",
            "<50%",
            "筛查",
            "screening",
        ]),
        scores: vec![
            Finding::Carotid(carotid(
                Side::Left,
                None,
                plaque(2.6, Some(11.0), PlaqueEcho::Hypo, PlaqueSurface::Smooth, false, 30.0),
                (95.0, 25.0, 80.0),
            )),
            Finding::Carotid(carotid(Side::Right, Some(0.9), None, (70.0, 20.0, 75.0))),
        ],
        clips: vec![clip(
            "Left carotid bulb, transverse: hypoechoic plaque on the far wall",
            &[8, 20],
            vec![
                ring((320.0, 346.0), 42.0, 12.0, (0, 27)),
                arrow((470.0, 420.0), (352.0, 352.0), (4, 24)),
                label((430.0, 430.0), "soft plaque", (4, 24)),
            ],
        )],
        ..blank("carotid")
    };
    DemoCase {
        exam: 11,
        author: "wang.lei",
        site: "CN",
        content,
        story: vec![
            Step::Submit,
            Step::Publish,
            say(
                "liu.yang",
                "Why is the ratio taken with the CCA velocity about 2 cm below the bulb and not at the bulb \
                 itself? Our centre measured the CCA at the bulb and got a ratio of 1.6 for this patient.",
            ),
            guess_grade(
                "liu.yang",
                "Left ICA plaque, mild stenosis",
                StenosisGrade::Under50,
            ),
        ],
    }
}

/// 50–69 %, published, confirmed by CTA and republished as version 2 with the correlation.
fn moderate_stenosis() -> DemoCase {
    let content = CaseContent {
        title: "右侧颈内动脉 50–69% 狭窄：混合回声钙化斑块".into(),
        age_band: AgeBand::A60,
        sex: Sex::Male,
        history: "男，60余岁。高血压、高脂血症 10 年，规律服用氨氯地平及阿托伐他汀。新华街道社区卫生服务中心\
            查体闻及右颈部血管杂音，行颈动脉超声。无头晕、黑矇及肢体无力。"
            .into(),
        findings: "右侧颈内动脉起始段后壁及外侧壁见混合回声斑块，厚约 3.8 mm，长约 16 mm，表面不规则，\
            内见强回声钙化伴后方声影；灰阶估测直径狭窄率约 60%。频谱多普勒：右 ICA PSV 180 cm/s，\
            EDV 55 cm/s；右 CCA PSV 72 cm/s，ICA/CCA 比值 2.5；狭窄远段频谱形态正常。\n\n\
            左侧颈总动脉 IMT 1.1 mm，未见斑块；左 ICA PSV 85 cm/s，EDV 24 cm/s，CCA PSV 80 cm/s。"
            .into(),
        impression: "右侧颈内动脉起始段混合回声钙化斑块，狭窄 50–69%（SRU：PSV 125–230 cm/s、比值 2.0–4.0、\
            EDV 40–100 cm/s，三项一致）。左侧颈动脉内中膜增厚。建议 CTA 进一步评估，神经内科随诊。"
            .into(),
        diagnosis: "右侧颈内动脉粥样硬化性狭窄（50–69%）".into(),
        differential: "- **钙化声影遮挡**：可能测不到真正的最高流速而低估狭窄，需在声影前后多角度取样。\n\
            - **对侧重度狭窄或闭塞**：本侧代偿性流速增高可高估狭窄；本例对侧正常，不适用。"
            .into(),
        teaching_points: "1. **SRU 三参数**：PSV 为主参数，比值和 EDV 为辅助；三者一致时分级可靠。\n\
            2. 多普勒角度 **≤ 60°**，在狭窄处及其远端 1 cm 内寻找**最高流速**。\n\
            3. **钙化斑块**的声影处测不到真实流速：在声影前后、不同切面反复取样。\n\
            4. 灰阶估测狭窄率只作参考，**分级以多普勒为准**。"
            .into(),
        difficulty: Difficulty::Intermediate,
        tags: tags(&[
            "颈动脉狭窄",
            "carotid stenosis",
            "50–69%",
            "钙化斑块",
            "calcified plaque",
            "多普勒",
            "Doppler",
        ]),
        scores: vec![
            Finding::Carotid(carotid(
                Side::Right,
                None,
                plaque(3.8, Some(16.0), PlaqueEcho::Mixed, PlaqueSurface::Irregular, true, 60.0),
                (180.0, 55.0, 72.0),
            )),
            Finding::Carotid(carotid(Side::Left, Some(1.1), None, (85.0, 24.0, 80.0))),
        ],
        clips: vec![clip(
            "右 ICA 起始段横切面：混合回声斑块伴钙化声影",
            &[7, 19],
            vec![
                ring((300.0, 236.0), 36.0, 14.0, (0, 27)),
                arrow((200.0, 420.0), (290.0, 350.0), (5, 22)),
                label((110.0, 430.0), "钙化声影", (5, 22)),
            ],
        )],
        ..blank("carotid")
    };
    DemoCase {
        exam: 12,
        author: "chen.jing",
        site: "XH",
        content,
        story: vec![
            Step::Submit,
            Step::Publish,
            outcome(
                FollowUpKind::Imaging,
                20,
                Some(true),
                "头颈 CTA：右 ICA 起始段钙化及非钙化混合斑块，NASCET 法狭窄约 62%，颅内段通畅；与超声分级一致。",
            ),
            Step::Revise,
            Step::Edit(|c| {
                c.title = "右侧颈内动脉 50–69% 狭窄：混合回声钙化斑块（CTA 证实）".into();
                c.teaching_points.push_str(
                    "\n5. **CTA 随访证实**（NASCET 法 62%）。注意测量方法不同：NASCET 以狭窄远端正常 ICA 管径为分母，\
                     灰阶估测常以局部血管外径为分母（类似 ECST），数值往往更大——报告中写明依据的是多普勒分级。",
                );
                c.tags.push("CTA".into());
            }),
            Step::Submit,
            Step::ReviewNote("补充的 NASCET 与灰阶估测的差异很实用，同意发布第 2 版。"),
            Step::Publish,
            guess_grade("zhang.wei", "右 ICA 中度狭窄", StenosisGrade::From50To69),
        ],
    }
}

/// ≥ 70 % and symptomatic: CTA, then endarterectomy.
fn severe_stenosis() -> DemoCase {
    let content = CaseContent {
        title: "左侧颈内动脉重度狭窄（≥70%）伴一过性黑矇：颈动脉内膜剥脱术".into(),
        age_band: AgeBand::A70,
        sex: Sex::Male,
        history: "男，70余岁。2 周内发作 2 次左眼一过性黑矇，每次约 5 分钟，完全缓解。高血压、冠心病史，\
            吸烟 40 年。神经内科门诊会诊后当日行颈动脉双功超声。"
            .into(),
        findings: "左侧颈内动脉起始段见不均质混合回声斑块，厚约 4.6 mm，长约 18 mm，表面不规则，局部见小溃疡龛影。\
            彩色多普勒：狭窄处呈五彩镶嵌的混叠血流，狭窄后方见湍流及组织振动伪像。频谱：左 ICA PSV 320 cm/s，\
            EDV 130 cm/s；左 CCA PSV 70 cm/s，ICA/CCA 比值 4.6；狭窄远段 ICA 流速减低、频谱圆钝。\n\n\
            右侧颈内动脉起始段等回声小斑块，厚 1.9 mm；右 ICA PSV 105 cm/s，EDV 28 cm/s，CCA PSV 78 cm/s。"
            .into(),
        impression: "左侧颈内动脉起始段重度狭窄（≥ 70%，SRU：PSV > 230 cm/s、比值 > 4.0、EDV > 100 cm/s，三项一致），\
            斑块表面不规则伴溃疡，与左眼一过性黑矇（同侧症状）相符。右侧颈内动脉 < 50% 狭窄。\
            建议尽快 CTA 并请血管外科会诊。"
            .into(),
        diagnosis: "左侧颈内动脉症状性重度狭窄（约 80%）".into(),
        differential: "- **近闭塞**：狭窄极重时流速可反而下降，观察远段 ICA 是否塌陷、是否呈线样血流。\n\
            - **对侧闭塞导致的代偿性高流速**：本例对侧通畅，不适用。"
            .into(),
        teaching_points: "1. **≥ 70% 的 SRU 标准**：ICA PSV **> 230 cm/s**，辅以比值 > 4.0、EDV > 100 cm/s。\n\
            2. **同侧症状**（一过性黑矇、TIA）+ 重度狭窄：应**尽早**完成评估与血运重建决策，两周内手术获益最大。\n\
            3. 狭窄处**彩色混叠**和狭窄后**组织振动伪像**提示高流速，可帮助快速找到取样位置。\n\
            4. 同时评价**斑块形态**：表面不规则、溃疡、低回声成分提示易损斑块。"
            .into(),
        difficulty: Difficulty::Advanced,
        tags: tags(&[
            "颈动脉狭窄",
            "carotid stenosis",
            "≥70%",
            "一过性黑矇",
            "amaurosis fugax",
            "内膜剥脱术",
            "CEA",
        ]),
        scores: vec![
            Finding::Carotid(carotid(
                Side::Left,
                None,
                plaque(4.6, Some(18.0), PlaqueEcho::Mixed, PlaqueSurface::Ulcerated, false, 75.0),
                (320.0, 130.0, 70.0),
            )),
            Finding::Carotid(carotid(
                Side::Right,
                None,
                plaque(1.9, None, PlaqueEcho::Iso, PlaqueSurface::Smooth, false, 20.0),
                (105.0, 28.0, 78.0),
            )),
        ],
        clips: vec![
            clip(
                "左 ICA 起始段彩色多普勒：狭窄处混叠，斑块表面溃疡",
                &[9, 21],
                vec![
                    ring((320.0, 287.0), 62.0, 30.0, (0, 27)),
                    arrow((450.0, 180.0), (350.0, 250.0), (6, 24)),
                    label((420.0, 150.0), "溃疡龛影", (6, 24)),
                ],
            ),
            clip(
                "左 ICA 狭窄处频谱：PSV 320 cm/s，EDV 130 cm/s",
                &[12],
                vec![
                    label((60.0, 70.0), "PSV 320 / EDV 130 cm/s", (0, 23)),
                    arrow((200.0, 100.0), (300.0, 240.0), (8, 16)),
                ],
            ),
        ],
        ..blank("carotid")
    };
    DemoCase {
        exam: 13,
        author: "wang.lei",
        site: "HUB",
        content,
        story: vec![
            Step::Submit,
            Step::Publish,
            outcome(
                FollowUpKind::Imaging,
                2,
                Some(true),
                "头颈 CTA：左 ICA 起始段狭窄约 80%（NASCET），斑块表面小溃疡；颅内段通畅。",
            ),
            outcome(
                FollowUpKind::Surgery,
                30,
                Some(true),
                "因冠心病先行心内科评估，第 30 天行左侧颈动脉内膜剥脱术（CEA）。术中见 ICA 起始段斑块致管腔重度狭窄，\
                 表面溃疡伴少量附壁血栓。术后无新发神经功能缺损。",
            ),
            outcome(
                FollowUpKind::Imaging,
                92,
                None,
                "术后 3 个月复查超声：内膜剥脱段通畅，左 ICA PSV 85 cm/s，未见再狭窄。",
            ),
            guess_grade("li.na", "左 ICA 重度狭窄，建议 CTA", StenosisGrade::Over70),
        ],
    }
}

/// Near-occlusion: low velocities that mean the opposite of mild, then a TIA.
fn near_occlusion() -> DemoCase {
    let mut right = carotid(
        Side::Right,
        None,
        plaque(
            5.5,
            Some(22.0),
            PlaqueEcho::Mixed,
            PlaqueSurface::Irregular,
            true,
            95.0,
        ),
        (45.0, 12.0, 55.0),
    );
    right.near_occlusion = true;
    let content = CaseContent {
        title: "右侧颈内动脉次全闭塞：流速不高不等于狭窄不重".into(),
        age_band: AgeBand::A70,
        sex: Sex::Female,
        history: "女，70余岁。高血压、糖尿病 15 年。滨河街道社区卫生服务中心随访时测右侧颈内动脉流速“正常”，\
            但灰阶见大斑块，申请远程会诊。"
            .into(),
        findings: "右侧颈内动脉起始段见大片不均质斑块，厚约 5.5 mm，长约 22 mm，伴钙化，管腔几乎被完全填充；\
            降低彩色量程和壁滤波后仅见一细线样血流（线样征）。线样血流处 PSV 45 cm/s，EDV 12 cm/s。\
            狭窄远段颈内动脉管径明显变细（约 2 mm，对侧 4.8 mm），呈塌陷状。右 CCA PSV 55 cm/s，\
            舒张期血流减少，呈高阻频谱。\n\n\
            左侧颈内动脉起始段等回声小斑块；左 ICA PSV 110 cm/s，EDV 30 cm/s，CCA PSV 85 cm/s。"
            .into(),
        impression: "右侧颈内动脉次全闭塞（near-occlusion）：线样血流、远段 ICA 塌陷，同侧 CCA 高阻频谱；\
            流速不高不能据此判为轻度狭窄。左侧颈内动脉 < 50% 狭窄。建议尽快 CTA 并请神经内科评估。"
            .into(),
        diagnosis: "右侧颈内动脉次全闭塞（near-occlusion）".into(),
        differential: "- **完全闭塞**：任何设置下均无血流信号；用低量程彩色、能量多普勒或超声造影区分，二者处理不同。\n\
            - **轻度狭窄**：只看 PSV 会误判为 < 50%——这正是本例首诊时的陷阱。"
            .into(),
        teaching_points: "1. **近闭塞时流速可高可低甚至测不到**，SRU 分级以**影像**为准：线样血流 + 远段 ICA 塌陷。\n\
            2. 怀疑闭塞时把彩色量程降到约 10–20 cm/s、降低壁滤波，或改用**能量多普勒**寻找细小血流。\n\
            3. 同侧 **CCA 高阻频谱**（舒张期血流减少）是远端严重阻塞的间接征象。\n\
            4. **大斑块与“正常流速”不匹配**时，先想到近闭塞，不要轻易报告为轻度狭窄。"
            .into(),
        difficulty: Difficulty::Advanced,
        tags: tags(&[
            "颈动脉近闭塞",
            "near-occlusion",
            "线样征",
            "string sign",
            "TIA",
            "能量多普勒",
        ]),
        scores: vec![
            Finding::Carotid(right),
            Finding::Carotid(carotid(
                Side::Left,
                None,
                plaque(1.8, None, PlaqueEcho::Iso, PlaqueSurface::Smooth, false, 20.0),
                (110.0, 30.0, 85.0),
            )),
        ],
        clips: vec![clip(
            "右 ICA 纵切面低量程彩色：管腔内仅见线样血流（线样征）",
            &[6, 14, 22],
            vec![
                ring((320.0, 287.0), 70.0, 26.0, (0, 27)),
                arrow((180.0, 180.0), (300.0, 282.0), (4, 24)),
                label((100.0, 150.0), "线样征", (4, 24)),
            ],
        )],
        ..blank("carotid")
    };
    DemoCase {
        exam: 14,
        author: "chen.jing",
        site: "BH",
        content,
        story: vec![
            Step::Submit,
            Step::Publish,
            outcome(
                FollowUpKind::Clinical,
                3,
                None,
                "会诊后第 3 天出现左手无力伴言语含糊约 20 分钟，完全缓解。诊断右侧颈内动脉系统 TIA，\
                 收入神经内科，予双联抗血小板及强化他汀治疗。",
            ),
            outcome(
                FollowUpKind::Imaging,
                4,
                Some(true),
                "头颈 CTA：右 ICA 起始段次全闭塞，远段 ICA 管径塌陷（2.1 mm，对侧 4.9 mm）；与超声诊断一致。",
            ),
            Step::Comment(point(
                "liu.yang",
                "这一帧的线样血流是把量程调到多少才显示出来的？我们平时的默认量程是 40 cm/s。",
                0,
                14,
            )),
            Step::Comment(Post {
                marked_by: Some("chen.jing"),
                ..point(
                    "wang.lei",
                    "这一帧彩色量程约 15 cm/s、壁滤波调到最低，同时缩小取样框、提高彩色增益直到背景刚出现噪点。\
                     默认 40 cm/s 时线样血流完全显示不出来，很容易误报为闭塞；再换能量多普勒确认一遍。",
                    0,
                    14,
                )
            }),
        ],
    }
}

/// IMT thickening, retired: the measurement was taken at the bulb.
fn imt_thickening() -> DemoCase {
    let content = CaseContent {
        title: "颈动脉内中膜增厚（IMT 1.2 mm）".into(),
        age_band: AgeBand::A40,
        sex: Sex::Male,
        history: "男，40余岁。血脂异常（LDL-C 4.6 mmol/L），吸烟 20 年。长安街道社区卫生服务中心健康体检行颈动脉超声。"
            .into(),
        findings: "双侧颈动脉远侧壁 IMT：右 1.2 mm，左 1.1 mm，内中膜均匀增厚，未见斑块。右 ICA PSV 80 cm/s，\
            EDV 22 cm/s，CCA PSV 85 cm/s；左 ICA PSV 75 cm/s，EDV 20 cm/s，CCA PSV 80 cm/s。"
            .into(),
        impression: "双侧颈动脉内中膜增厚（1.0–1.5 mm），未见斑块，无血流动力学意义的狭窄（< 50%）。\
            建议控制血脂、戒烟，1–2 年后复查。"
            .into(),
        diagnosis: "颈动脉内中膜增厚".into(),
        teaching_points: "- **IMT 测量部位**：颈总动脉远段（分叉近端约 1 cm）**远侧壁**，纵切面，声束垂直于管壁。\n\
            - 我国常用标准：IMT **< 1.0 mm 正常，1.0–1.5 mm 增厚，≥ 1.5 mm 为斑块**。\n\
            - 内中膜增厚是动脉硬化的早期改变，处理重点是**危险因素管理**，而不是狭窄分级。"
            .into(),
        difficulty: Difficulty::Basic,
        tags: tags(&["内中膜增厚", "IMT", "动脉硬化", "atherosclerosis", "体检", "screening"]),
        scores: vec![
            Finding::Carotid(carotid(Side::Right, Some(1.2), None, (80.0, 22.0, 85.0))),
            Finding::Carotid(carotid(Side::Left, Some(1.1), None, (75.0, 20.0, 80.0))),
        ],
        clips: vec![clip(
            "右颈动脉纵切面：远侧壁内中膜增厚",
            &[10],
            vec![
                arrow((450.0, 400.0), (340.0, 342.0), (0, 23)),
                label((420.0, 410.0), "IMT 1.2 mm", (0, 23)),
            ],
        )],
        ..blank("carotid")
    };
    DemoCase {
        exam: 15,
        author: "wang.lei",
        site: "CA",
        content,
        story: vec![
            Step::Submit,
            Step::Publish,
            Step::Retire(
                "停用：复核原始图像发现 IMT 是在颈动脉分叉膨大处测量的，不符合“颈总动脉远段、分叉近端 1 cm”的规范，\
                 测值偏高。将以规范测量的新病例替代。",
            ),
        ],
    }
}
